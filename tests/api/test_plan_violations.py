"""Violations as a supervisor reads them: store names and local times, not solver ids."""

from __future__ import annotations

from backend.services.plan_violations import describe


def test_solver_violations_read_with_names_and_times():
    said = describe(
        [
            "42: stop 7 reached at 55103, outside its windows",
            "42: returns at 65400, after the shift ends at 63000",
            "42: break starts at 50400, after its window ends at 48600",
            "42: load 12 over capacity 10",
        ],
        {"7": "ローソン 佃店"},
    )
    assert said == [
        "ローソン 佃店: arrives at 15:18, outside its opening hours.",
        "Back at 18:10, 40 min after the shift ends (17:30).",
        "The break starts at 14:00, after its window ends (13:30).",
        "load 12 over capacity 10",
    ]


def test_an_unknown_stop_keeps_its_id():
    assert describe(["1: stop 9 reached at 3600, outside its windows"], {}) == [
        "Store 9: arrives at 01:00, outside its opening hours."
    ]
