"""The one write path: every change to the database, whatever starts it, commits here.

```
authenticate → validate → idempotency → savepoint → use case (flushes) → report refresh → commit
```

The caller (an HTTP view, an item of an offline batch, a job, a CLI command) authenticates and
validates; `executor.execute` (or `execute_keyed`, when the client sent an idempotency key) owns
the transaction from there. The report tables are refreshed by the session's commit hook
(`services/reports/rep_days.py`, registered with the database extension). See docs/writes.md.
"""

from .executor import (
    Reply,
    after_commit,
    checkpoint,
    execute,
    execute_keyed,
    one_commit,
    undone_alone,
)

__all__ = [
    "Reply",
    "after_commit",
    "checkpoint",
    "execute",
    "execute_keyed",
    "one_commit",
    "undone_alone",
]
