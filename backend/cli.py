"""Every `flask` command: user accounts, the demo territory, report tables, visits left open,
idempotency keys, the job worker and the scheduler. Each change runs through the write executor."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import func, select

from . import scheduler
from .config import ConfigError
from .errors import DomainError
from .extensions import db
from .job_runner import queue
from .models import Role, Team, User
from .planning import road_tiles
from .services import accounts, demo, road_travel, visits
from .services.reports import rep_days
from .writes import execute, idempotency

users_cli = AppGroup("users", help="Create users and reset passwords.")
demo_cli = AppGroup("demo", help="The demo territory.")
reports_cli = AppGroup("reports", help="The tables the reports read.")
visits_cli = AppGroup("visits", help="Visits left open, and the idempotency keys of writes.")


roads_cli = AppGroup("roads", help="Routing tiles for road travel (docs/roads.md).")
photos_cli = AppGroup("photos", help="Photo images: retention (PHOTO_RETENTION_DAYS).")


def _execute(use_case):
    """Run a use case through the write path; a refusal is a one-line CLI error, not a traceback."""
    try:
        return execute(use_case)
    except DomainError as exc:
        raise click.ClickException(f"{exc.message} {exc.errors or ''}".strip()) from None


def _team_id(name: str | None) -> int | None:
    if name is None:
        return None
    team = db.session.scalars(select(Team).where(Team.name == name)).first()
    if team is None:
        raise click.BadParameter(f"no team named {name!r}", param_hint="--team")
    return team.id


@users_cli.command("create")
@click.argument("username")
@click.option("--full-name", required=True)
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--team", help="Team name (reps and supervisors).")
@click.option("--area-id", type=int, help="Area id (area managers).")
@click.password_option(help="Prompted for if not given.")
def create_user(username, full_name, role, team, area_id, password):
    """Create a user."""
    data = {
        "username": username,
        "full_name": full_name,
        "role": Role(role),
        "team_id": _team_id(team),
        "area_id": area_id,
        "password": password,
    }
    user = _execute(lambda: accounts.create_user(data))
    click.echo(f"Created {user.role.value} {user.username} (id {user.id}).")


@users_cli.command("reset-password")
@click.argument("username")
@click.password_option(help="Prompted for if not given.")
def reset_password(username, password):
    """Set a new password and sign the user out everywhere."""
    user = db.session.scalars(
        select(User).where(func.lower(User.username) == username.lower())
    ).first()
    if user is None:
        raise click.ClickException(f"No user {username!r}.")
    _execute(lambda: accounts.set_password(user, password))
    click.echo(f"Password of {user.username} reset; their tokens are revoked.")


@demo_cli.command("load")
@click.option(
    "--territory",
    type=click.Choice(sorted(demo.TERRITORIES)),
    default="tokyo",
    show_default=True,
    help="tokyo: 300 convenience stores; helsinki: about 420 shops, cafés, restaurants, bars "
    "and hotels from the OpenStreetMap extract, planned on its streets (builds the road tiles; "
    "needs TIMEZONE Europe/Helsinki and CURRENCY EUR).",
)
@click.option(
    "--if-empty",
    is_flag=True,
    help="If the database has data: bring the demo up to today (add the missing days); "
    "leave any other data alone.",
)
@click.option("--seed", type=int, default=demo.DEFAULT_SEED, show_default=True)
@click.option(
    "--organisation-only", is_flag=True, help="Only the organisation, stores and catalogue."
)
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), hidden=True)  # for tests
def load_demo(territory, if_empty, seed, organisation_only, today):
    """Create the demo: organisation, stores, catalogue, four weeks of plans and visits and
    today's published plans."""
    started, day = time.perf_counter(), today.date() if today else None
    spec, fresh = demo.TERRITORIES[territory], demo.is_empty()
    if not fresh:
        if not if_empty:
            raise click.ClickException("The database is not empty; demo data goes in a fresh one.")
        loaded = demo.loaded_territory()
        if loaded is not spec:
            held = "data" if loaded is None else f"the {loaded.name} demo"
            click.echo(f"Database already has {held}; {territory} demo not loaded.")
            return
    if refusal := demo.wrong_settings(spec, if_empty):
        raise click.ClickException(refusal)
    if spec.pbf is not None:
        try:
            demo.ensure_tiles(spec.name, spec.pbf, fresh, click.echo)
        except DomainError as exc:
            raise click.ClickException(exc.message) from None
    if not fresh:
        added = execute(lambda: demo.top_up(seed, day, spec))
        done = f"{len(added)} days added up to {added[-1]}" if added else "already up to date"
        click.echo(f"Demo {done} ({time.perf_counter() - started:.1f} s).")
        return
    logins = execute(lambda: demo.load_demo(seed, day, not organisation_only, spec))
    click.echo(f"Demo loaded in {time.perf_counter() - started:.1f} s.")
    click.echo(f"Every demo user's password is: {demo.DEMO_PASSWORD}")
    for login in logins:
        click.echo(f"  {login.username:<10} {login.role:<13} sees {login.scope}")


@reports_cli.command("rebuild")
def rebuild_reports():
    """Recompute the report tables of rep-days from the raw rows (after a bulk load around the app).

    Run it while nothing writes: writers that commit during the rebuild may be counted twice."""
    started = time.perf_counter()
    execute(lambda: rep_days.refresh(db.session.connection(), rep_days.everything))
    click.echo(f"Report tables rebuilt in {time.perf_counter() - started:.1f} s.")


@reports_cli.command("check")
def check_reports():
    """Compare the report tables of rep-days with a recomputation; exit 1 when they differ."""
    stale = rep_days.stale_rep_days(db.session.connection())
    for row in stale[:20]:
        click.echo(f"  {tuple(row)}")
    if stale:
        raise click.ClickException(f"{len(stale)} rows differ: run `flask reports rebuild`.")
    click.echo("The report tables match the raw rows.")


@click.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
def worker(burst):
    """Run background jobs from the RQ queue (needs TERMINUS_REDIS_URL)."""
    from rq import SimpleWorker

    if not current_app.config["REDIS_URL"]:
        raise click.ClickException("Set TERMINUS_REDIS_URL: without Redis, jobs run in-process.")
    job_queue = queue()
    # SimpleWorker runs jobs in this process, inside the app context (no fork, no shared pool).
    SimpleWorker([job_queue], connection=job_queue.connection).work(burst=burst)


@visits_cli.command("close-open")
def close_open():
    """Close visits left open from earlier days (`flask scheduler` does it every night)."""
    click.echo(f"Closed {execute(visits.close_left_open)} visit(s) left open.")


@visits_cli.command("prune-keys")
def prune_keys():
    """Forget idempotency replies older than IDEMPOTENCY_KEEP_DAYS."""
    click.echo(f"Pruned {execute(idempotency.prune)} idempotency key(s).")


@photos_cli.command("retention")
@click.option("--dry-run", is_flag=True, help="Say what would be deleted; delete nothing.")
def photo_retention_command(dry_run):
    """Delete the image files of photos stored more than PHOTO_RETENTION_DAYS ago (their rows
    stay: visits, flags and reports do not change). Try --dry-run first."""
    from .services import photo_retention

    if current_app.config["PHOTO_RETENTION_DAYS"] <= 0:
        raise click.ClickException("PHOTO_RETENTION_DAYS is 0: images are kept for ever.")
    if dry_run:
        report = photo_retention.expired()
    else:
        report = _execute(photo_retention.delete_expired)
        photo_retention.remove_files(report)
    verb = "Would delete" if dry_run else "Deleted"
    click.echo(f"{verb} the images of {report.photos} photo(s) stored before "
               f"{report.cutoff.isoformat()}: {report.files} file(s), "
               f"{report.bytes} byte(s) of full images (thumbnails on top).")  # fmt: skip


@click.command("scheduler")
@click.option("--once", is_flag=True, help="Run what is due now, then stop (no loop).")
@with_appcontext
def scheduler_command(once):
    """Run the daily tasks at their times, without cron (docs/deployment.md "Scheduled work").

    \b
    SCHEDULE_CLOSE_OPEN       close visits left open on earlier days (default 00:15)
    SCHEDULE_PRUNE_KEYS       forget old idempotency replies (default 03:00)
    SCHEDULE_PHOTO_RETENTION  delete expired photo images, if PHOTO_RETENTION_DAYS > 0 (03:30)

    Times are the organisation's TIMEZONE; "" turns a task off. Run one scheduler per machine,
    or several: each slot is claimed in the database (scheduled_runs), one runs it, the others
    skip. Started late, a task runs once for its latest slot. SIGTERM stops it after the task
    under way."""
    try:
        planned = scheduler.schedule(current_app.config)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    if once:
        for result in scheduler.run_due():
            click.echo(f"{result.task} (slot {result.slot.isoformat()}): {result.outcome}"
                       + (f", {result.detail}" if result.detail else ""))  # fmt: skip
        return
    interval = current_app.config["SCHEDULER_INTERVAL_SECONDS"]
    if interval <= 0:
        raise click.ClickException("SCHEDULER_INTERVAL_SECONDS must be above 0.")
    zone = current_app.config["TIMEZONE"]
    for task, clock in planned:
        click.echo(f"{task.name} daily at {clock:%H:%M} {zone}")
    stop = threading.Event()
    scheduler.stop_on_signals(stop)
    scheduler.run_forever(stop, interval)
    click.echo("Scheduler stopped.")


@roads_cli.command("build")
@click.argument("pbf", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--into",
    type=click.Path(file_okay=False),
    help="Tiles folder (default: the instance folder's roads, which ROAD_TILES='' uses).",
)
def build_roads(pbf, into):
    """Build routing tiles from an OpenStreetMap extract (.osm.pbf)."""
    target = Path(into) if into else Path(current_app.instance_path) / "roads"
    try:
        road_tiles.build_tiles(pbf, target, progress=click.echo)
    except (road_tiles.RoadsUnavailable, road_tiles.RoadsError) as exc:
        raise click.ClickException(str(exc)) from None
    used = road_travel.tiles_dir()
    if used is None or used.resolve() != target.resolve():
        click.echo(f"Note: ROAD_TILES points elsewhere ({used or 'none'}); set it to {target}.")


@roads_cli.command("status")
def roads_status():
    """Which tiles plans use, their version, the default travel mode and the matrix cache."""
    where = road_travel.tiles_dir()
    net = road_travel.network()
    if net is None:
        found = "off" if where is None else f"no tiles at {where}"
        click.echo(f"Road travel: {found}: straight lines.")
    else:
        click.echo(f"Road travel: on, tiles {net.tiles_dir} (version {net.version}).")
    mode = road_travel.rep_mode(User(travel_mode=None))
    click.echo(f"Default travel mode (PLAN_TRAVEL_MODE): {mode or 'none (straight lines)'}.")
    click.echo(f"Cached matrices: {road_travel.cache_entries()}.")


@click.command(
    "serve",
    context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False},
)
@click.argument("gunicorn_args", nargs=-1, type=click.UNPROCESSED)
def serve_command(gunicorn_args):
    """Serve the API and the PWA with gunicorn and its packaged settings.

    The same from a checkout and from an installed wheel: config/gunicorn.conf.py (GUNICORN_BIND,
    GUNICORN_WORKERS... override it); any further arguments go to gunicorn, e.g.
    `flask serve --bind 0.0.0.0:8000 --workers 4`.
    """
    import os
    import sys

    from .resources import GUNICORN_CONFIG

    command = [sys.executable, "-m", "gunicorn", "-c", str(GUNICORN_CONFIG), *gunicorn_args]
    # This process becomes gunicorn: signals from a supervisor reach gunicorn's master directly.
    os.execv(sys.executable, [*command, "backend:create_app()"])


def register_commands(app: Flask) -> None:
    app.cli.add_command(users_cli)
    app.cli.add_command(visits_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(reports_cli)
    app.cli.add_command(worker)
    app.cli.add_command(roads_cli)
    app.cli.add_command(serve_command)
    app.cli.add_command(photos_cli)
    app.cli.add_command(scheduler_command)
