"""A store's contacts: whoever sees the store reads them; leads and the store's rep keep them.

A store with contacts always has exactly one primary contact: its first contact becomes primary,
making another primary moves the mark, and deleting the primary passes it to the oldest left.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ..errors import ConflictError, NotFoundError, PermissionDeniedError
from ..extensions import db
from ..models import ContactRole, Role, Store, StoreContact, User
from ..scoping import get_in_scope

MAX_CONTACTS = 20


def list_contacts(actor: User, store_id: int) -> list[StoreContact]:
    """The store's contacts, the primary first, then by age."""
    return list(get_in_scope(actor, Store, store_id).contacts)


def add_contact(actor: User, store_id: int, data: dict[str, Any]) -> StoreContact:
    store = _store_for_write(actor, store_id)
    if len(store.contacts) >= MAX_CONTACTS:
        raise ConflictError(
            f"A store has at most {MAX_CONTACTS} contacts.",
            reason="too_many_contacts",
            params={"max": MAX_CONTACTS},
        )
    data = dict(data)
    primary = data.pop("is_primary", False) or not store.contacts
    contact = StoreContact(store_id=store.id, is_primary=False, **data)
    db.session.add(contact)
    db.session.flush()
    if primary:
        _make_primary(contact)
    return contact


def update_contact(
    actor: User, store_id: int, contact_id: int, changes: dict[str, Any]
) -> StoreContact:
    contact = _contact_for_write(actor, store_id, contact_id)
    changes = dict(changes)
    primary = changes.pop("is_primary", None)
    if primary is False and contact.is_primary:
        raise ConflictError(
            "A store's contacts keep one primary contact: make another one primary instead.",
            reason="primary_contact_needed",
        )
    for key, value in changes.items():
        setattr(contact, key, value)
    if primary:
        _make_primary(contact)
    db.session.flush()
    return contact


def delete_contact(actor: User, store_id: int, contact_id: int) -> None:
    contact = _contact_for_write(actor, store_id, contact_id)
    was_primary = contact.is_primary
    db.session.delete(contact)
    db.session.flush()
    if was_primary:
        oldest = db.session.scalars(
            select(StoreContact).where(StoreContact.store_id == store_id).order_by(StoreContact.id)
        ).first()
        if oldest is not None:
            _make_primary(oldest)


def set_primary_contact(store: Store, name: str | None, phone: str | None) -> None:
    """The store import's contact cells: change the primary contact's name or phone (a `None`
    leaves it as it is), or add a primary contact named `name` (role `other`) when the store
    has none."""
    primary = primary_contact(store)
    if primary is None:
        contact = StoreContact(name=name, role=ContactRole.OTHER, phone=phone, is_primary=True)
        store.contacts.append(contact)
        return
    if name is not None:
        primary.name = name
    if phone is not None:
        primary.phone = phone


def primary_contact(store: Store) -> StoreContact | None:
    return next((c for c in store.contacts if c.is_primary), None)


def _make_primary(contact: StoreContact) -> None:
    # Unmark the old primary first: the database allows one primary per store at any moment.
    for other in db.session.scalars(
        select(StoreContact).where(
            StoreContact.store_id == contact.store_id,
            StoreContact.is_primary.is_(True),
            StoreContact.id != contact.id,
        )
    ):
        other.is_primary = False
    db.session.flush()
    contact.is_primary = True
    db.session.flush()


def _store_for_write(actor: User, store_id: int) -> Store:
    """A store in scope that the caller may keep the contacts of: a lead's, or the rep's own."""
    store = get_in_scope(actor, Store, store_id)
    if actor.role is Role.REP and store.rep_id != actor.id:
        raise PermissionDeniedError(
            "Only the store's rep or a lead may change its contacts.", reason="not_your_store"
        )
    return store


def _contact_for_write(actor: User, store_id: int, contact_id: int) -> StoreContact:
    contact = get_in_scope(actor, StoreContact, contact_id)
    if contact.store_id != store_id:
        raise NotFoundError(f"StoreContact {contact_id} not found.")
    _store_for_write(actor, store_id)
    return contact
