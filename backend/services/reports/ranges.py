"""Report periods: a day, an ISO week, a month or a custom range, as inclusive dates."""

from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app


def today() -> date:
    """Today in the organisation's time zone."""
    return datetime.now(ZoneInfo(current_app.config["TIMEZONE"])).date()


def resolve(args: dict[str, Any]) -> tuple[date, date]:
    """(first, last) day of the period the parsed report arguments describe."""
    period = args.get("period", "day")
    if period == "custom":
        return args["date_from"], args["date_to"]
    anchor = args.get("date") or today()
    if period == "week":
        monday = anchor - timedelta(days=anchor.weekday())
        return monday, monday + timedelta(days=6)
    if period == "month":
        last = calendar.monthrange(anchor.year, anchor.month)[1]
        return anchor.replace(day=1), anchor.replace(day=last)
    return anchor, anchor


def iso_week(monday: date) -> str:
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


def days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def whole_months(first: date, last: date) -> tuple[date, date] | None:
    """The first and last day of the whole calendar months within [first, last], if any."""
    start = first if first.day == 1 else (first.replace(day=1) + timedelta(days=32)).replace(day=1)
    end = last if (last + timedelta(days=1)).day == 1 else last.replace(day=1) - timedelta(days=1)
    return (start, end) if start < end else None


def week_of(day: date) -> tuple[date, date]:
    """The Monday and Sunday of a day's ISO week."""
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


def month_of(day: date) -> tuple[date, date]:
    """The first and last day of a day's month."""
    return day.replace(day=1), day.replace(day=calendar.monthrange(day.year, day.month)[1])


def whole_weeks(first: date, last: date) -> tuple[date, date] | None:
    """The first and last day of the whole ISO weeks within [first, last], if any."""
    start = first + timedelta(days=-first.weekday() % 7)
    end = last - timedelta(days=(last.weekday() + 1) % 7)
    return (start, end) if start < end else None
