"""Photo retention: images older than PHOTO_RETENTION_DAYS go, their rows (and reports) stay."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from backend.extensions import db
from backend.models import Photo, utcnow
from backend.models.audit import AuditEntry
from backend.services import photo_retention
from backend.writes import execute
from tests.api.visit_helpers import check_in, image_bytes, minutes_ago, upload

pytestmark = pytest.mark.usefixtures("photo_dir")
DAYS = 30


@pytest.fixture
def retention(app, monkeypatch):
    monkeypatch.setitem(app.config, "PHOTO_RETENTION_DAYS", DAYS)


@pytest.fixture
def rep(org, tokens):
    return tokens.headers("rep-n1a")


@pytest.fixture
def visit_id(app, client, org, rep):
    return check_in(client, rep, app, org.store["n1-a"], minutes_ago(10)).json["id"]


def age(app, photo_id: int, days: float) -> None:
    """Make the photo `days` old (stored then)."""
    with app.app_context():
        moment = utcnow() - timedelta(days=days)
        db.session.execute(sa.update(Photo).where(Photo.id == photo_id).values(created_at=moment))
        db.session.commit()


def files_of(photo_dir, photo) -> list[str]:
    return sorted(p.name for p in photo_dir.rglob(f"{photo['sha256']}*"))


def report_rows(app) -> list[dict]:
    """The report tables' rows, without their ids (a refresh may rewrite a row)."""
    with app.app_context():
        rows = [
            {k: v for k, v in row._mapping.items() if k != "id"}
            for table in ("rep_day_kpis", "rep_day_display")
            for row in db.session.execute(sa.text(f"SELECT * FROM {table}"))
        ]
    return sorted(rows, key=repr)


def audit_entries(app) -> list[AuditEntry]:
    with app.app_context():
        return list(
            db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "photo_deleted"))
        )


def run(app, dry_run: bool = False) -> photo_retention.RetentionReport:
    with app.app_context():
        if dry_run:
            return photo_retention.expired()
        report = execute(photo_retention.delete_expired)
        photo_retention.remove_files(report)
        return report


def test_retention_off_deletes_nothing(app, client, rep, visit_id, photo_dir):
    photo = upload(client, rep, visit_id, image_bytes(seed=1)).json
    age(app, photo["id"], 10_000)
    report = run(app)
    assert (report.cutoff, report.photos, report.files) == (None, 0, 0)
    assert len(files_of(photo_dir, photo)) == 2 and audit_entries(app) == []


@pytest.mark.usefixtures("retention")
def test_dry_run_reports_and_changes_nothing(app, client, rep, visit_id, photo_dir):
    old = upload(client, rep, visit_id, image_bytes(seed=1)).json
    young = upload(client, rep, visit_id, image_bytes(seed=2)).json
    age(app, old["id"], DAYS + 1)
    age(app, young["id"], DAYS - 1)
    report = run(app, dry_run=True)
    assert (report.photos, report.files, report.bytes) == (1, 1, old["size_bytes"])
    assert report.photo_ids == [old["id"]] and report.dry_run
    assert abs(report.cutoff - (utcnow() - timedelta(days=DAYS))) < timedelta(minutes=1)
    assert len(files_of(photo_dir, old)) == 2
    assert client.get(old["image_url"], headers=rep).status_code == 200
    assert audit_entries(app) == []


@pytest.mark.usefixtures("retention")
def test_expired_images_are_deleted_and_rows_reports_stay(app, client, rep, visit_id, photo_dir):
    old = upload(client, rep, visit_id, image_bytes(seed=1)).json
    young = upload(client, rep, visit_id, image_bytes(seed=2)).json
    age(app, old["id"], DAYS + 1)
    before = report_rows(app)
    report = run(app)
    assert (report.photos, report.files, report.dry_run) == (1, 1, False)
    assert files_of(photo_dir, old) == [] and len(files_of(photo_dir, young)) == 2
    assert report_rows(app) == before

    row = client.get(f"/api/photos/{old['id']}", headers=rep).json
    assert row["image_deleted_at"] is not None and row["sha256"] == old["sha256"]
    for path in (old["image_url"], old["thumbnail_url"], f"/api/photos/{old['id']}/url"):
        gone = client.get(path, headers=rep)
        assert gone.status_code == 410 and gone.json["reason"] == "image_deleted", path
    assert client.get(young["image_url"], headers=rep).status_code == 200
    visit = client.get(f"/api/visits/{visit_id}", headers=rep).json
    assert sorted(p["id"] for p in visit["photos"]) == sorted([old["id"], young["id"]])

    (entry,) = audit_entries(app)
    assert entry.actor_id is None and entry.subject_type == "photo"
    assert entry.detail["ids"] == [old["id"]] and entry.detail["count"] == 1
    assert entry.detail["cutoff"] == report.cutoff.isoformat()
    # A second run finds nothing new and records nothing.
    assert run(app).photos == 0 and len(audit_entries(app)) == 1


@pytest.mark.usefixtures("retention")
def test_a_file_another_live_photo_uses_is_kept(app, client, org, tokens, rep, visit_id, photo_dir):
    content = image_bytes(seed=3)
    old = upload(client, rep, visit_id, content).json
    age(app, old["id"], DAYS + 5)
    other = tokens.headers("rep-n1b")
    other_visit = check_in(client, other, app, org.store["n1-b"], minutes_ago(5)).json["id"]
    later = upload(client, other, other_visit, content).json  # the same file, recently
    assert later["sha256"] == old["sha256"] and later["id"] != old["id"]
    report = run(app)
    assert (report.photos, report.files, report.bytes) == (1, 0, 0)
    assert len(files_of(photo_dir, old)) == 2
    assert client.get(later["image_url"], headers=other).status_code == 200
    assert client.get(old["image_url"], headers=rep).status_code == 410
    # Once the later photo expires too, the file goes.
    age(app, later["id"], DAYS + 1)
    assert run(app).files == 1 and files_of(photo_dir, old) == []


@pytest.mark.usefixtures("retention")
def test_a_failed_run_leaves_every_image(app, client, rep, visit_id, photo_dir, monkeypatch):
    old = upload(client, rep, visit_id, image_bytes(seed=4)).json
    age(app, old["id"], DAYS + 1)

    def refuse(*_args, **_kwargs):
        raise RuntimeError("audit unavailable")

    monkeypatch.setattr(photo_retention.audit, "record", refuse)
    with pytest.raises(RuntimeError):
        run(app)
    assert len(files_of(photo_dir, old)) == 2
    assert client.get(old["image_url"], headers=rep).status_code == 200


@pytest.mark.usefixtures("retention")
def test_cli_dry_run_then_delete(app, client, rep, visit_id, photo_dir):
    old = upload(client, rep, visit_id, image_bytes(seed=5)).json
    age(app, old["id"], DAYS + 1)
    cli = app.test_cli_runner()
    dry = cli.invoke(args=["photos", "retention", "--dry-run"])
    assert dry.exit_code == 0 and dry.output.startswith("Would delete the images of 1 photo(s)")
    assert len(files_of(photo_dir, old)) == 2
    real = cli.invoke(args=["photos", "retention"])
    assert real.exit_code == 0 and real.output.startswith("Deleted the images of 1 photo(s)")
    assert f"1 file(s), {old['size_bytes']} byte(s)" in real.output
    assert files_of(photo_dir, old) == []


def test_cli_refuses_when_retention_is_off(app):
    result = app.test_cli_runner().invoke(args=["photos", "retention", "--dry-run"])
    assert result.exit_code != 0 and "PHOTO_RETENTION_DAYS is 0" in result.output
