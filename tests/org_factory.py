"""The test organisation's building blocks: its users' password and a store with default
fields (`org` in tests/conftest.py builds the organisation with them; report histories add
stores with `make_store`)."""

from __future__ import annotations

from datetime import time

from backend.models import Channel, Store, StoreHours, Team, Tier, User

PASSWORD = "correct horse battery"


def make_store(code: str, team: Team | None, rep: User | None, **fields) -> Store:
    values = {
        "name": f"Store {code}",
        "channel": Channel.MODERN,
        "tier": Tier.B,
        "address": f"{code} street",
        "lat": 35.66,
        "lng": 139.77,
        "visit_minutes": 15,
        "active": True,
        **fields,
    }
    store = Store(code=code, team=team, rep=rep, **values)
    store.hours = [StoreHours(weekday=d, opens=time(9), closes=time(18)) for d in range(6)]
    return store
