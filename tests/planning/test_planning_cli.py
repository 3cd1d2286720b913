import json
import subprocess
import sys
from pathlib import Path

from tests.planning.planning_helpers import line_problem

ROOT = Path(__file__).resolve().parents[2]


def run(*args, stdin=None):
    return subprocess.run(
        [sys.executable, "-m", "backend.planning", *map(str, args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        input=stdin,
        timeout=60,
    )


def test_cli_prints_solution(tmp_path):
    path = tmp_path / "p.json"
    path.write_text(
        json.dumps(
            line_problem(
                [(10, 0), (20, 0)], stops={1: {"service": 5, "windows": [["00:00", "00:01"]]}}
            )
        )
    )
    out = run(path, "--seconds", "0.3", "--seed", "1")
    assert out.returncode == 0, out.stderr
    sol = json.loads(out.stdout)
    route = sol["routes"][0]
    assert route["rep"] == "r1" and sorted(route["stops"]) == ["S1", "S2"]
    assert sol["dropped"] == [] and sol["feasible"] is True
    visit = route["visits"][0]
    assert set(visit) == {"stop", "arrival", "start", "end"}
    assert set(route["totals"]) >= {"travel", "distance", "service", "wait", "duration", "stops"}
    assert sol["objective"] == 40


def test_cli_invalid_problem_exits_2_naming_field(tmp_path):
    data = line_problem([(10, 0), (20, 0)])
    data["stops"][1]["windows"] = [[50, 10]]
    path = tmp_path / "p.json"
    path.write_text(json.dumps(data))
    out = run(path, "--seconds", "0.3")
    assert out.returncode == 2
    assert "stops[1].windows[0]" in out.stderr
    assert out.stdout == ""


def test_cli_missing_file_and_bad_json_exit_2(tmp_path):
    out = run(tmp_path / "nope.json")
    assert out.returncode == 2 and "nope.json" in out.stderr
    out = run("-", stdin="{not json")
    assert out.returncode == 2 and "cannot read JSON" in out.stderr


def test_cli_reads_planner_options_from_toml(tmp_path):
    path = tmp_path / "p.json"
    path.write_text(json.dumps(line_problem([(10, 0), (20, 0)])))
    params = tmp_path / "planner.toml"
    params.write_text("[planner]\nseconds = 0.3\nseed = 4\niterations = 30\n")
    out = run(path, "--params", params)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["stats"]["seed"] == 4
    out = run(path, "--params", params, "--seed", "5")
    assert json.loads(out.stdout)["stats"]["seed"] == 5
    params.write_text("[planner]\nseconds = -1\n")
    out = run(path, "--params", params)
    assert out.returncode == 2 and "seconds" in out.stderr
