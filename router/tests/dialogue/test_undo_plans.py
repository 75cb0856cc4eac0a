"""The inverse plans, as pure functions of the calendar's answers: what each kind of
write is undone by, series included, and what is not undone."""

from __future__ import annotations

from router_service.clients.calendar import CalendarEvent
from router_service.dialogue.undo_plans import (
    DeleteCreated,
    EventDetails,
    PatchBack,
    Recreate,
    after_write,
    before_write,
)
from router_service.pending.models import ActionKind

WEEKLY = ["RRULE:FREQ=WEEKLY;BYDAY=TU"]


def _event(**fields) -> CalendarEvent:
    base = {
        "id": "ev1",
        "title": "영어 스터디",
        "start": "2025-11-18T19:00:00+09:00",
        "end": "2025-11-18T20:00:00+09:00",
        "location": "강남역",
        "description": "3장까지",
    }
    return CalendarEvent.model_validate({**base, **fields})


def test_a_series_delete_is_undone_by_the_same_series_with_its_rule():
    master = _event(recurrence=WEEKLY)
    plan = before_write(ActionKind.delete, master, event_id="ev1", scope="all")
    assert isinstance(plan, Recreate)
    assert plan.before.create_body() == {
        "title": "영어 스터디",
        "start": "2025-11-18T19:00:00+09:00",
        "end": "2025-11-18T20:00:00+09:00",
        "location": "강남역",
        "description": "3장까지",
        "recurrence": WEEKLY,
        "allow_duplicate": False,
    }


def test_one_cancelled_instance_is_not_remade_as_a_lone_event():
    instance = _event(id="ev1_20251118T100000Z", recurring_event_id="ev1")
    assert before_write(ActionKind.delete, instance, event_id=instance.id, scope=None) is None
    assert before_write(ActionKind.delete, instance, event_id=instance.id, scope="one") is None


def test_a_change_to_a_whole_series_is_patched_back_on_its_master():
    master = _event(id="ev1", recurrence=WEEKLY)
    plan = before_write(ActionKind.update, master, event_id="ev1_20251125T100000Z", scope="all")
    assert isinstance(plan, PatchBack)
    assert (plan.event_id, plan.scope) == ("ev1", None)
    moved = _event(
        recurrence=WEEKLY, start="2025-11-18T20:00:00+09:00", end="2025-11-18T21:00:00+09:00"
    )
    done = after_write(ActionKind.update, stored=plan, answer=moved)
    assert isinstance(done, PatchBack)
    assert done.patch() == {
        "start": "2025-11-18T19:00:00+09:00",
        "end": "2025-11-18T20:00:00+09:00",
    }


def test_an_update_patches_back_only_what_it_changed_and_clears_what_it_added():
    before = _event(location=None)
    plan = before_write(ActionKind.update, before, event_id="ev1", scope=None)
    after = _event(title="영어 회화", location="역삼역")
    done = after_write(ActionKind.update, stored=plan, answer=after)
    assert isinstance(done, PatchBack)
    assert done.patch() == {"title": "영어 스터디", "location": ""}


def test_an_all_day_update_is_patched_back_with_dates():
    before = _event(
        start=None, end=None, all_day=True, start_date="2025-11-24", end_date="2025-11-25"
    )
    plan = before_write(ActionKind.update, before, event_id="ev1", scope=None)
    after = before.model_copy(
        update={
            "start_date": before.start_date.replace(day=26),
            "end_date": before.end_date.replace(day=27),
        }
    )
    done = after_write(ActionKind.update, stored=plan, answer=after)
    assert done.patch() == {"start_date": "2025-11-24", "end_date": "2025-11-25"}


def test_a_create_is_undone_by_deleting_what_it_made_unless_it_made_nothing():
    made = _event(id="new1", recurrence=WEEKLY)
    plan = after_write(ActionKind.create, stored=None, answer=made, created_status="created")
    assert plan == DeleteCreated(event_id="new1", left=EventDetails.of(made))
    replayed = after_write(ActionKind.create, stored=None, answer=made, created_status="replayed")
    assert replayed == plan
    assert (
        after_write(ActionKind.create, stored=None, answer=made, created_status="duplicate") is None
    )


def test_details_compare_instants_and_empty_texts_as_equal():
    seoul = EventDetails.of(_event(location=""))
    utc = EventDetails.of(
        _event(start="2025-11-18T10:00:00+00:00", end="2025-11-18T11:00:00+00:00", location=None)
    )
    assert seoul == utc
    assert EventDetails.of(_event(title="다른 제목")) != seoul


def test_reminders_come_back_with_the_event_where_the_calendar_carries_them():
    details = EventDetails(
        title="치과",
        start="2025-11-24T15:00:00+09:00",
        end="2025-11-24T16:00:00+09:00",
        reminder_minutes=[30],
    )
    assert details.create_body()["reminder_minutes"] == [30]
    plan = PatchBack(
        event_id="ev1", before=details, left=details.model_copy(update={"reminder_minutes": [10]})
    )
    assert plan.patch() == {"reminder_minutes": [30]}
    default = PatchBack(
        event_id="ev1", before=details.model_copy(update={"reminder_minutes": None}), left=details
    )
    assert default.patch() == {"reminder_minutes": None}
    assert (
        "reminder_minutes"
        not in details.model_copy(update={"reminder_minutes": None}).create_body()
    )
