"""HTTP blueprints: parse, authorize, call a service, respond."""

from __future__ import annotations

from flask import Flask
from flask_smorest import Api

from . import (
    audit,
    auth,
    complaints,
    docs,
    health,
    jobs,
    org,
    photo_reviews,
    photos,
    plans,
    prices,
    products,
    pwa,
    reports,
    returns,
    shelf,
    store_contacts,
    stores,
    suggested_orders,
    sync,
    tiers,
    uplifts,
    users,
    visits,
)


def register_blueprints(app: Flask, api: Api) -> None:
    for module in (auth, users, org, stores, products, plans, jobs, health):
        api.register_blueprint(module.blp)
    for module in (visits, photos, sync):
        api.register_blueprint(module.blp)
    for module in (store_contacts, complaints):
        api.register_blueprint(module.blp)
    api.register_blueprint(shelf.blp)
    for module in (reports, photo_reviews):
        api.register_blueprint(module.blp)
    api.register_blueprint(tiers.blp)
    api.register_blueprint(audit.blp)
    api.register_blueprint(prices.blp)
    api.register_blueprint(returns.blp)
    for module in (suggested_orders, uplifts):
        api.register_blueprint(module.blp)
    app.register_blueprint(docs.assets)
    app.register_blueprint(pwa.blp)
