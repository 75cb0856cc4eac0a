"""RFC 3339 parsing and event time normalisation, the way Calendar v3 accepts them."""

import re
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from google_emulator.errors import GoogleApiError

OFFSET_RE = re.compile(r"(Z|[+-]\d{2}:\d{2})$", re.IGNORECASE)


def zone(name: str, what: str) -> ZoneInfo:
    """A time zone by IANA name, or 400 as Google answers."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as err:
        raise GoogleApiError(400, "invalid", f"Invalid time zone definition for {what}.") from err


def parse_rfc3339(value: str, *, param: str) -> datetime:
    """A query-parameter timestamp: RFC 3339 with a mandatory offset."""
    if not OFFSET_RE.search(value.strip()):
        raise GoogleApiError(400, "badRequest", "Bad Request")
    try:
        return datetime.fromisoformat(value.strip().replace("z", "Z"))
    except ValueError as err:
        raise GoogleApiError(400, "badRequest", "Bad Request") from err


def format_utc(moment: datetime) -> str:
    """Google's timestamp style for created/updated: UTC with milliseconds."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + (
        f"{moment.microsecond // 1000:03d}Z"
    )


def normalise_time(value: object, *, what: str, calendar_zone: str) -> tuple[dict, datetime]:
    """Validate an EventDateTime; return its stored form and the instant it denotes."""
    if not isinstance(value, dict):
        raise GoogleApiError(400, "required", f"Missing {what} time.")
    tz_name = value.get("timeZone")
    if value.get("date") and value.get("dateTime"):
        raise GoogleApiError(400, "invalid", f"Invalid {what} time.")
    if value.get("date"):
        try:
            day = date.fromisoformat(str(value["date"]))
        except ValueError as err:
            raise GoogleApiError(400, "invalid", f"Invalid {what} time.") from err
        instant = datetime.combine(day, time(), zone(tz_name or calendar_zone, what + " time"))
        stored = {"date": day.isoformat()}
        if tz_name:
            stored["timeZone"] = tz_name
        return stored, instant
    raw = value.get("dateTime")
    if not raw:
        raise GoogleApiError(400, "required", f"Missing {what} time.")
    try:
        parsed = datetime.fromisoformat(str(raw).replace("z", "Z"))
    except ValueError as err:
        raise GoogleApiError(400, "invalid", f"Invalid {what} time.") from err
    if parsed.tzinfo is None:
        if not tz_name:
            raise GoogleApiError(400, "required", f"Missing time zone definition for {what} time.")
        parsed = parsed.replace(tzinfo=zone(tz_name, what + " time"))
    shown_zone = zone(tz_name or calendar_zone, what + " time")
    stored = {"dateTime": parsed.astimezone(shown_zone).isoformat()}
    if tz_name:
        stored["timeZone"] = tz_name
    return stored, parsed


def instant_of(value: dict, calendar_zone: str) -> datetime:
    """The instant a stored EventDateTime denotes (all-day: midnight in the zone)."""
    if "date" in value:
        tz = ZoneInfo(value.get("timeZone") or calendar_zone)
        return datetime.combine(date.fromisoformat(value["date"]), time(), tz)
    return datetime.fromisoformat(value["dateTime"])
