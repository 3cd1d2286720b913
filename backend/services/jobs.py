"""Job rows: a background job's kind, parameters, status, progress and result.

The runner (`backend/job_runner.py`) starts and executes them; here they are recorded and read.
"""

from __future__ import annotations

from typing import Any
from uuid import uuid4

from ..extensions import db
from ..models import Job, User
from ..scoping import get_in_scope


def record(actor: User, kind: str, params: dict[str, Any], team_id: int | None = None) -> Job:
    """A new queued job of `kind` (flushed; the runner starts it after the commit)."""
    job = Job(id=str(uuid4()), kind=kind, params=params, created_by_id=actor.id, team_id=team_id)
    db.session.add(job)
    db.session.flush()
    return job


def get_job(actor: User, job_id: str) -> Job:
    return get_in_scope(actor, Job, job_id)
