"""Command line: ``python -m backend.planning PROBLEM.json --seconds S [--seed N]``.

Prints the solution JSON on stdout. An invalid problem exits with status 2 and a message naming the
bad field on stderr.
"""

from __future__ import annotations

import argparse
import json
import sys

from .problem import ProblemError, load
from .solution import solution_to_dict
from .solver import solve


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m backend.planning", description="Plan routes for a planning problem (JSON)."
    )
    ap.add_argument("problem", help="problem JSON file ('-' for stdin)")
    ap.add_argument("--seconds", type=float, default=5.0, help="time budget (default 5)")
    ap.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    ap.add_argument(
        "--workers",
        type=int,
        default=1,
        help="independent searches in parallel processes, best kept (default 1)",
    )
    ap.add_argument("--indent", type=int, default=None, help="pretty-print the JSON")
    args = ap.parse_args(argv)
    if args.seconds <= 0:
        ap.error("--seconds must be positive")
    try:
        if args.problem == "-":
            from .problem import problem_from_dict

            try:
                data = json.load(sys.stdin)
            except json.JSONDecodeError as exc:
                raise ProblemError("-", f"cannot read JSON: {exc}") from None
            problem = problem_from_dict(data)
        else:
            problem = load(args.problem)
    except ProblemError as exc:
        print(f"invalid problem: {exc}", file=sys.stderr)
        return 2
    solution = solve(problem, args.seconds, args.seed, workers=max(1, args.workers))
    json.dump(solution_to_dict(solution, problem), sys.stdout, indent=args.indent)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
