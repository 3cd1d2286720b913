"""The demo's store file: two to four contacts at every store, and complaints about the days
added: most told to the rep at a visit, some phoned to the supervisor; those older than a few
days mostly resolved by the supervisor, the last days' still open or in progress.

Each store and each visit draws from its own random stream (seed, store code or visit uuid), so
the rest of the demo is what it is without them, and a top-up adds only the new days'.
"""

from __future__ import annotations

import random
import uuid
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select

from ...extensions import db
from ...models import (
    Complaint,
    ComplaintCategory,
    ComplaintStatus,
    ContactRole,
    Role,
    Store,
    StoreContact,
    User,
    Visit,
)
from . import market

PEOPLE = {
    "tokyo": ("Sato", "Suzuki", "Takahashi", "Tanaka", "Ito", "Watanabe", "Yamamoto", "Nakamura",
              "Kobayashi", "Kato", "Yoshida", "Yamada", "Sasaki", "Matsumoto", "Inoue", "Kimura"),
    "helsinki": ("Aino Korhonen", "Mikko Virtanen", "Laura Mäkinen", "Juha Nieminen",
                 "Sanna Mäkelä", "Timo Hämäläinen", "Emilia Laine", "Jari Heikkinen",
                 "Kaisa Koskinen", "Antti Järvinen", "Noora Lehtonen", "Pekka Lehtinen"),
}  # fmt: skip
PHONES = {"tokyo": "+81 3-{a:04d}-{b:04d}", "helsinki": "+358 40 {a:03d} {b:04d}"}
CONTACT_NOTES = {
    ContactRole.BUYER: "Orders on Tuesdays; call before 10:00.",
    ContactRole.DECISION_MAKER: "Approves displays and promotions for the chain's branches.",
    ContactRole.FRONT_DESK: "Ask here for the buyer when visiting.",
}
# Share of visits at which the store complains, and of those phoned to the supervisor instead.
COMPLAINT_SHARE, BY_PHONE_SHARE = 0.02, 0.25
COMPLAINTS = {
    ComplaintCategory.PRODUCT_QUALITY: (
        "Two bottles in the last case were leaking.",
        "Customers say the green tea tastes flat in this batch.",
    ),
    ComplaintCategory.DELIVERY: (
        "The delivery came after opening and blocked the aisle.",
        "Last order arrived one case short.",
    ),
    ComplaintCategory.PRICING: (
        "The store across the street sells our tea cheaper.",
        "The promotion price was not on the invoice.",
    ),
    ComplaintCategory.SERVICE: (
        "Nobody answered the order line on Monday.",
        "The promised cooler sticker never came.",
    ),
    ComplaintCategory.REP_CONDUCT: ("The rep rearranged the shelf without asking.",),
    ComplaintCategory.OTHER: ("Wants a tasting stand for the weekend.",),
}
RESOLUTIONS = (
    "Credited on the next invoice.",
    "Replaced at the next delivery.",
    "Explained to the owner; agreed.",
    "Sent to logistics; delivery window moved.",
)


def add(seed: int, prices: market.Market, past: list[date], today: date) -> None:
    """Contacts for the stores that have fewer than two, complaints about the `past` days."""
    people = "helsinki" if prices is market.HELSINKI else "tokyo"
    _add_contacts(seed, people)
    if past:
        _add_complaints(seed, past[0], past[-1], today)


def _add_contacts(seed: int, people: str) -> None:
    held = (
        select(StoreContact.store_id, func.count().label("n"))
        .group_by(StoreContact.store_id)
        .subquery()
    )
    stores = db.session.execute(
        select(Store.id, Store.code, func.coalesce(held.c.n, 0))
        .outerjoin(held, held.c.store_id == Store.id)
        .where(func.coalesce(held.c.n, 0) < 2)
        .order_by(Store.id)
    ).all()
    rows = [row for store in stores for row in _contacts(seed, people, *store)]
    if rows:
        db.session.execute(insert(StoreContact), rows)


def _contacts(seed: int, people: str, store_id: int, code: str, held: int) -> list[dict]:
    rng = random.Random(f"{seed}/contacts/{code}")
    roles = [ContactRole.OWNER, ContactRole.BUYER]
    roles += rng.sample((ContactRole.DECISION_MAKER, ContactRole.FRONT_DESK), rng.randint(0, 2))
    names = rng.sample(PEOPLE[people], len(roles))
    return [
        {
            "store_id": store_id,
            "name": name,
            "role": role,
            "phone": PHONES[people].format(a=rng.randint(100, 999), b=rng.randint(0, 9999)),
            "email": f"{role.value}.{code.lower()}@example.com" if rng.random() < 0.4 else None,
            "note": CONTACT_NOTES.get(role) if rng.random() < 0.5 else None,
            # The owner is the one to call, unless the store has a contact already.
            "is_primary": role is ContactRole.OWNER and held == 0,
        }
        for role, name in zip(roles, names, strict=True)
    ]


def _add_complaints(seed: int, first: date, last: date, today: date) -> None:
    leads = db.session.scalars(select(User).where(User.role == Role.SUPERVISOR))
    supervisors = {u.team_id: u.id for u in leads}
    visits = db.session.execute(
        select(Visit.id, Visit.uuid, Visit.store_id, Visit.rep_id, Visit.checked_in_at, Store)
        .join(Store, Store.id == Visit.store_id)
        .where(Visit.visit_date.between(first, last))
        .order_by(Visit.id)
    ).all()
    for visit_id, visit_uuid, store_id, rep_id, at, store in visits:
        rng = random.Random(f"{seed}/complaint/{visit_uuid}")
        supervisor = supervisors.get(store.team_id)
        if rng.random() >= COMPLAINT_SHARE or supervisor is None:
            continue
        by_phone = rng.random() < BY_PHONE_SHARE
        opened = at + timedelta(hours=3) if by_phone else at + timedelta(minutes=10)
        category = rng.choice(tuple(COMPLAINTS))
        row = {
            "uuid": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "store_id": store_id,
            "visit_id": None if by_phone else visit_id,
            "category": category,
            "text": rng.choice(COMPLAINTS[category]),
            "opened_at": opened,
            "created_by_id": supervisor if by_phone else rep_id,
            "created_at": opened,
        }
        db.session.add(Complaint(**row, **_outcome(rng, opened, today, supervisor)))


def _outcome(rng: random.Random, opened: datetime, today: date, supervisor: int) -> dict[str, Any]:
    """Where the complaint stands today: the older it is, the likelier resolved."""
    age_days = (today - opened.date()).days
    resolved_share = 0.9 if age_days > 7 else 0.5 if age_days > 3 else 0.0
    if rng.random() >= resolved_share:
        status = ComplaintStatus.IN_PROGRESS if rng.random() < 0.4 else ComplaintStatus.OPEN
        return {"status": status, "updated_at": opened}
    resolved = opened + timedelta(hours=rng.uniform(2, min(120, age_days * 24 - 24)))
    return {
        "status": ComplaintStatus.RESOLVED,
        "resolution": rng.choice(RESOLUTIONS),
        "resolved_at": resolved,
        "resolved_by_id": supervisor,
        "updated_at": resolved,
    }
