"""Every text and every list a client sends is bounded: strings by a maximum length (never above
their column's), lists by a maximum count checked before any item is read. An over-limit field
is a 422 naming the field and the limit in `params`, however it arrives."""

from __future__ import annotations

import time
import uuid

import marshmallow as ma
import pytest
from sqlalchemy import String

from backend import models
from backend.routes.visit_operations import OPERATIONS
from backend.schemas import orders, org, prices, products, returns, store_file, stores, visits
from backend.schemas.common import NOTE, BoundedList
from tests.api.test_store_import import upload

# Strings whose shape the parser checks: a date, a uuid, or bytes bounded by the upload limits.
FIXED_FORMATS = {"date", "date-time", "uuid", "binary", "byte"}
# The multipart batch's JSON text: read by the same schema as POST /api/sync's body, its fields.
DOCUMENTS = {"post /api/sync/multipart multipart/form-data.batch"}
STORE = {"code": "LIM-1", "name": "Limits", "channel": "modern", "tier": "A",
         "lat": 35.6, "lng": 139.7}  # fmt: skip


def spec(client):
    return client.get("/api/openapi.json").json


def resolve(document, schema):
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def properties(document, schema, path):
    """(path, property) for every property under `schema`, however deep (items, allOf...)."""
    schema = resolve(document, schema)
    yield path, schema
    for name, child in schema.get("properties", {}).items():
        if not child.get("readOnly"):
            yield from properties(document, child, f"{path}.{name}")
    if "items" in schema:
        yield from properties(document, schema["items"], f"{path}[]")
    for key in ("allOf", "oneOf", "anyOf"):
        for i, child in enumerate(schema.get(key, [])):
            yield from properties(document, child, f"{path}|{i}")


def request_properties(document):
    """Everything a client sends: request bodies (every content type) and parameters."""
    for url, ops in document["paths"].items():
        for method, op in ops.items():
            if method == "parameters":
                continue
            for kind, content in op.get("requestBody", {}).get("content", {}).items():
                yield from properties(document, content["schema"], f"{method} {url} {kind}")
            for parameter in [*ops.get("parameters", []), *op.get("parameters", [])]:
                if "schema" in parameter and parameter["in"] != "path":  # path: a URL segment
                    where = f"{method} {url} {parameter['in']}.{parameter['name']}"
                    yield from properties(document, parameter["schema"], where)


def is_string(prop) -> bool:
    kind = prop.get("type")
    return kind == "string" or (isinstance(kind, list) and "string" in kind)


def test_every_string_a_client_sends_has_a_max_length(client):
    document = spec(client)
    unbounded = [
        path
        for path, prop in request_properties(document)
        if is_string(prop)
        and path not in DOCUMENTS
        and "maxLength" not in prop
        and "enum" not in prop
        and prop.get("format") not in FIXED_FORMATS
    ]
    assert unbounded == []


def test_every_list_a_client_sends_has_a_max_count(client):
    document = spec(client)
    unbounded = [
        path
        for path, prop in request_properties(document)
        if prop.get("type") == "array"
        and "maxItems" not in prop
        and "x-maxItems-setting" not in prop
    ]
    assert unbounded == []


def request_schemas(app):
    """The schema of every request's arguments, and of every sync operation's body."""
    found = [operation.body() for operation in OPERATIONS.values()]
    for view in app.view_functions.values():
        view_class = getattr(view, "view_class", None)
        methods = [getattr(view_class, m.lower()) for m in getattr(view_class, "methods", ())]
        for method in methods:
            arguments = getattr(method, "_apidoc", {}).get("arguments", {})
            for parameter in arguments.get("parameters", []):
                schema = parameter["schema"]
                found.append(schema() if isinstance(schema, type) else schema)
    return found


def loaded_fields(schema, path):
    for name, field in schema.fields.items():
        if not field.dump_only:
            yield f"{path}.{name}", field


def walk(field, path):
    yield path, field
    if isinstance(field, ma.fields.List):
        yield from walk(field.inner, f"{path}[]")
    if isinstance(field, ma.fields.Nested):
        for child_path, child in loaded_fields(field.schema, path):
            yield from walk(child, child_path)


def test_every_list_of_a_request_is_counted_before_its_items_are_read(app):
    schemas = request_schemas(app)
    assert len(schemas) > 30
    lists = [
        path
        for schema in schemas
        for top_path, top in loaded_fields(schema, type(schema).__name__)
        for path, field in walk(top, top_path)
        if isinstance(field, ma.fields.List)
    ]
    assert lists, "no list found: the walk is broken"
    counted_late = [
        path
        for schema in schemas
        for top_path, top in loaded_fields(schema, type(schema).__name__)
        for path, field in walk(top, top_path)
        if isinstance(field, ma.fields.List) and not isinstance(field, BoundedList)
    ]
    assert counted_late == []


@pytest.mark.parametrize(
    ("schema", "model"),
    [
        (stores.StoreSchema, models.Store),
        (products.ProductSchema, models.Product),
        (products.BrandSchema, models.Brand),
        (org.AreaSchema, models.Area),
        (org.TeamSchema, models.Team),
        (visits.DisplayCheckSchema, models.DisplayCheck),
        (visits.ReturnRequestSchema, models.ReturnRequest),
        (visits.CompetitorObservationSchema, models.CompetitorObservation),
        (visits.CheckInSchema, models.Visit),
        (returns.ReturnDecisionSchema, models.ReturnRequest),
        (store_file.StoreContactSchema, models.StoreContact),
        (store_file.VisitComplaintSchema, models.Complaint),
        (store_file.LeadComplaintSchema, models.Complaint),
        (store_file.ComplaintUpdateSchema, models.Complaint),
        (prices.AgreedPromotionSchema, models.Promotion),
        (orders.DemandUpliftSchema, models.DemandUplift),
    ],
)
def test_no_text_limit_is_above_its_column(schema, model):
    columns = model.__table__.columns
    checked = 0
    for name, field in schema().fields.items():
        free_text = (
            not field.dump_only
            and type(field) is ma.fields.String
            and not any(isinstance(v, ma.validate.OneOf) for v in field.validators)
        )
        if not free_text or name not in columns or not isinstance(columns[name].type, String):
            continue
        column_length = columns[name].type.length
        limits = [v.max for v in field.validators if isinstance(v, ma.validate.Length) and v.max]
        assert limits, f"{model.__name__}.{name} has no limit"
        if column_length is not None:
            assert max(limits) <= column_length, f"{model.__name__}.{name}"
        checked += 1
    assert checked


def test_a_15_mib_store_note_is_refused_with_its_limit(client, org, tokens):
    headers = tokens.headers("admin")
    before = client.get("/api/stores?per_page=1", headers=headers).json["meta"]["total"]
    response = client.post(
        "/api/stores", json={**STORE, "notes": "n" * (15 * 2**20)}, headers=headers
    )
    assert response.status_code == 422
    assert response.json["reason"] == "too_long"
    assert response.json["params"] == {"field": "notes", "max": NOTE}
    assert list(response.json["errors"]["json"]) == ["notes"]
    assert client.get("/api/stores?per_page=1", headers=headers).json["meta"]["total"] == before
    edit = client.patch(
        f"/api/stores/{org.store['n1-a']}", json={"notes": "n" * (NOTE + 1)}, headers=headers
    )
    assert edit.status_code == 422 and edit.json["params"] == {"field": "notes", "max": NOTE}
    url, at_limit = f"/api/stores/{org.store['n1-a']}", {"notes": "n" * NOTE}
    assert client.patch(url, json=at_limit, headers=headers).status_code == 200


def test_an_over_long_text_in_a_sync_item_names_its_limit(client, org, tokens):
    body = {"device_time": "2026-01-05T10:00:00+09:00", "note": "x" * (NOTE + 1)}
    operation = {"key": str(uuid.uuid4()), "op": "check_out", "visit": 1, "body": body}
    response = client.post(
        "/api/sync", json={"operations": [operation]}, headers=tokens.headers("rep-n1a")
    )
    assert response.status_code == 200
    item = response.json["results"][0]
    assert item["status"] == 422
    assert item["body"]["reason"] == "too_long"
    assert item["body"]["params"] == {"field": "note", "max": NOTE}


def test_import_rows_have_the_same_limits(client, org, tokens):
    header = "code,name,channel,tier,lat,lng,team,notes"
    row = f"IMP-L,Long notes,modern,A,35.6,139.7,N1,{'n' * (NOTE + 1)}"
    response = upload(client, tokens.headers("admin"), f"{header}\n{row}\n".encode())
    assert response.status_code == 422
    assert [(e["row"], e["column"]) for e in response.json["errors"]["rows"]] == [(2, "notes")]


def test_an_over_long_lookup_cell_is_refused_not_echoed(client, org, tokens):
    header = "code,name,channel,tier,lat,lng,team"
    row = f"IMP-T,Team cell,modern,A,35.6,139.7,{'T' * 100_000}"
    response = upload(client, tokens.headers("admin"), f"{header}\n{row}\n".encode())
    assert response.status_code == 422
    assert response.json["errors"]["rows"] == [
        {"row": 2, "column": "team", "message": "Longer than maximum length 120."}
    ]
    assert len(response.data) < 2000


def count_item_reads(monkeypatch):
    """How many nested objects (list items) marshmallow reads from now on."""
    calls = {"n": 0}
    read = ma.fields.Nested._deserialize

    def counted(self, *args, **kwargs):
        calls["n"] += 1
        return read(self, *args, **kwargs)

    monkeypatch.setattr(ma.fields.Nested, "_deserialize", counted)
    return calls


@pytest.mark.parametrize(
    ("url", "method", "body", "field"),
    [
        ("/api/visits/1/display-checks", "put",
         {"items": [{"product_id": 1, "on_shelf": True}] * 400_000}, "items"),
        ("/api/sync", "post",
         {"operations": [{"key": "0", "op": "order", "visit": 1}] * 400_000}, "operations"),
    ],
)  # fmt: skip
def test_a_400k_item_list_is_refused_before_any_item_is_read(
    client, org, tokens, monkeypatch, url, method, body, field
):
    reads = count_item_reads(monkeypatch)
    started = time.perf_counter()
    response = getattr(client, method)(url, json=body, headers=tokens.headers("rep-n1a"))
    elapsed = time.perf_counter() - started
    assert response.status_code == 422
    assert (reads["n"], elapsed < 5) == (0, True), elapsed  # was 12 s, reading every item first
    assert response.json["reason"] == "too_many"
    assert response.json["params"]["field"] == field
