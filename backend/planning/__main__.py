"""Command line: ``python -m backend.planning PROBLEM.json [--params planner.toml] [--seconds S]
[--seed N] [--workers K]`` (the options override the file's ``[planner]`` table), or
``python -m backend.planning --warm`` (compile the search kernel into numba's cache ahead of the
first plan; an install or CI step).

Prints the solution JSON on stdout. An invalid problem exits with status 2 and a message naming the
bad field on stderr.
"""

from __future__ import annotations

import argparse
import json
import sys

from .params import SolveParams
from .problem import ProblemError, load
from .solution import solution_to_dict
from .solver import solve


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m backend.planning", description="Plan routes for a planning problem (JSON)."
    )
    ap.add_argument("problem", nargs="?", help="problem JSON file ('-' for stdin)")
    ap.add_argument(
        "--warm", action="store_true", help="compile (or load) the search kernel, then exit"
    )
    ap.add_argument("--params", help="TOML file with a [planner] table (SolveParams)")
    ap.add_argument("--seconds", type=float, help="time budget (default 5)")
    ap.add_argument("--seed", type=int, help="random seed (default 0)")
    ap.add_argument(
        "--workers",
        type=int,
        help="independent searches in parallel processes, best kept (default 1)",
    )
    ap.add_argument("--indent", type=int, default=None, help="pretty-print the JSON")
    args = ap.parse_args(argv)
    if args.warm:
        from .lns import warm

        print(f"search kernel ready in {warm():.2f} s")
        return 0
    if args.problem is None:
        ap.error("a problem file is needed (or --warm)")
    if args.seconds is not None and args.seconds <= 0:
        ap.error("--seconds must be positive")
    try:
        params = SolveParams.from_file(args.params) if args.params else SolveParams()
        given = {"seconds": args.seconds, "seed": args.seed, "workers": args.workers}
        params = params.override(**{k: v for k, v in given.items() if v is not None})
    except (OSError, ValueError) as exc:
        ap.error(f"planner options: {exc}")
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
    solution = solve(problem, params=params)
    json.dump(solution_to_dict(solution, problem), sys.stdout, indent=args.indent)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
