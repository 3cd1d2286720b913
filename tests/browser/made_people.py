"""Reps and stores a browser test makes for itself through the admin API (the demo's people
and stores, which other browser tests count, stay as they are), and retires afterwards."""

from __future__ import annotations

from tests.browser.conftest import PASSWORD

SUPERVISOR = "sup-east"


class Made:
    """What one test module made: users and stores by a short name, retired at the end."""

    def __init__(self, server):
        self.server = server
        self.team_id = server.user(SUPERVISOR)["team_id"]
        self.users: dict[str, dict] = {}
        self.stores: dict[str, dict] = {}

    def admin(self, method: str, path: str, body=None, expect: int = 200) -> dict:
        status, answer = self.server.call(method, path, body, user="admin")
        assert status == expect, answer
        return answer

    def rep(self, key: str, username: str, full_name: str) -> dict:
        """A rep in sup-east's team, password PASSWORD (the one sign_in types)."""
        body = {
            "username": username,
            "full_name": full_name,
            "role": "rep",
            "team_id": self.team_id,
            "password": PASSWORD,
            "home_lat": 35.68,
            "home_lng": 139.76,
        }
        self.users[key] = self.admin("POST", "/api/users", body, expect=201)
        return self.users[key]

    def store(self, key: str, rep: dict, code: str, name: str, at: tuple, hours=("00:00", "23:59")):
        """A store of `rep` at `at` (lat, lng), open every day `hours` (opens, closes): all day,
        or e.g. only at night, outside any shift, so that a plan drops it."""
        body = {
            "code": code,
            "name": name,
            "channel": "modern",
            "tier": "A",
            "lat": at[0],
            "lng": at[1],
            "team_id": self.team_id,
            "rep_id": rep["id"],
            "hours": [{"weekday": d, "opens": hours[0], "closes": hours[1]} for d in range(7)],
        }
        self.stores[key] = self.admin("POST", "/api/stores", body, expect=201)
        return self.stores[key]

    def retire(self) -> None:
        for s in self.stores.values():
            self.admin("PATCH", f"/api/stores/{s['id']}", {"active": False})
        for u in self.users.values():
            self.admin("PATCH", f"/api/users/{u['id']}", {"active": False})
