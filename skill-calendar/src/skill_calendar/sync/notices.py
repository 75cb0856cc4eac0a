"""Change notices: recorded with the sync token that found them, delivered to the router's
one hook (POST /internal/calendar-changes) until acknowledged, each person's in order."""

from __future__ import annotations

from functools import partial

from shared.work import outbox
from skill_calendar.sync.models import ChangeNotice

DELIVERY_PATH = "/internal/calendar-changes"
REFUSED_FOR_GOOD = frozenset({400, 404, 422})  # asking the router again cannot help

# The notice outbox as a durable queue (oldest first, one person's in order).
notice_queue = partial(
    outbox.outbox_queue, name="change_notices", model=ChangeNotice, key="user_id"
)

# Delivers the notices that are due; returns how many the router acknowledged.
deliver_due = partial(outbox.deliver_due, path=DELIVERY_PATH, permanent=REFUSED_FOR_GOOD)
