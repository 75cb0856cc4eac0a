"""Following a calendar: baseline, push channel, changes made in Google reaching the router,
410 → full resync, the safety net, channel renewal, and stopping."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from shared.db import utcnow
from skill_calendar.sync.models import ChangeNotice, SyncJob, WatchedCalendar

from .conftest import EMAIL, USER

LUNCH = {"title": "점심", "start": "2027-03-10T12:00:00+09:00", "end": "2027-03-10T13:00:00+09:00"}


async def run_jobs(sync) -> None:
    """Works every due job, then delivers every due notice."""
    while await sync.work_jobs():
        pass
    while await sync.deliver_notices():
        pass


async def watched(app) -> WatchedCalendar:
    async with app.state.database.sessionmaker() as session:
        row = await session.get(WatchedCalendar, USER)
        assert row is not None
        return row


async def relay(client, headers: dict[str, str]):
    """What Google posted to the public address, posted to the app."""
    wanted = {k: v for k, v in headers.items() if k.lower().startswith("x-goog-")}
    return await client.post("/google/notifications", headers=wanted)


async def start(client, service_headers, sync, person):
    answer = await client.put(f"/v1/sync/people/{person}", headers=service_headers)
    assert answer.status_code == 202
    await run_jobs(sync)


async def stop_now(client, service_headers, person):
    """A stop asked ``now`` (what a disconnect asks before the grant is revoked)."""
    return await client.delete(
        f"/v1/sync/people/{person}", params={"now": "true"}, headers=service_headers
    )


async def refused_notice(
    client, service_headers, sync, person, google, router_double, create_event, *, status: int
):
    """A followed event changed in Google, whose notice the router answered ``status``."""
    event = await create_event(person, LUNCH)
    await start(client, service_headers, sync, person)
    google.control.edit_event(EMAIL, event["id"], summary="바뀜")
    router_double.statuses = [status]
    await sync.engine.sync(user_id=USER)
    assert await sync.deliver_notices() == 0


async def notice_due_again(app) -> tuple[str, str | None]:
    """Makes the one change notice due now (its retry time skipped); its state and last
    error as they were."""
    async with app.state.database.sessionmaker() as session:
        notice = await session.scalar(select(ChangeNotice))
        assert notice is not None
        seen = (notice.state, notice.last_error)
        notice.due_at = utcnow()
        await session.commit()
    return seen


async def test_start_makes_a_baseline_and_a_channel_and_reports_nothing(
    app, client, service_headers, sync, person, google, receiver, router_double
):
    await start(client, service_headers, sync, person)
    row = await watched(app)
    assert row.sync_token and row.channel_id and row.channel_expires_at
    (channel,) = google.control.channels()
    assert channel["id"] == row.channel_id
    assert channel["address"].endswith("/google/notifications")
    assert router_double.notices == []
    (sync_message,) = receiver.wait_for(1)
    assert (await relay(client, sync_message)).status_code == 200
    async with app.state.database.sessionmaker() as session:
        assert (
            await session.scalars(select(SyncJob).where(SyncJob.state == "pending"))
        ).all() == []
    state = await client.get(f"/v1/sync/people/{person}", headers=service_headers)
    assert state.json()["active"] is True and state.json()["synced"] is True


async def test_a_change_in_google_reaches_the_router_through_push(
    app, client, service_headers, sync, person, google, receiver, router_double, create_event
):
    event = await create_event(person, LUNCH)
    await start(client, service_headers, sync, person)
    receiver.wait_for(1)
    google.control.edit_event(
        EMAIL,
        event["id"],
        summary="점심 (옮김)",
        start={"dateTime": "2027-03-10T13:00:00+09:00"},
        end={"dateTime": "2027-03-10T14:00:00+09:00"},
    )
    exists = receiver.wait_for(2)[1]
    assert exists["X-Goog-Resource-State"] == "exists"
    assert (await relay(client, exists)).status_code == 200
    await run_jobs(sync)
    (notice,) = router_double.notices
    assert notice["user_id"] == USER and notice["full_resync"] is False
    assert notice["key"] == notice["notice_id"]
    (changed,) = notice["events"]
    assert changed["event_id"] == event["id"]
    assert changed["title"] == "점심 (옮김)"
    assert changed["status"] == "confirmed"
    assert changed["start"] == "2027-03-10T13:00:00+09:00"
    assert changed["end"] == "2027-03-10T14:00:00+09:00"
    assert changed["time_zone"] == "Asia/Seoul"

    google.control.remove_event(EMAIL, event["id"])
    assert (await relay(client, receiver.wait_for(3)[2])).status_code == 200
    await run_jobs(sync)
    cancelled = router_double.notices[1]["events"][0]
    assert (cancelled["event_id"], cancelled["status"]) == (event["id"], "cancelled")


async def test_an_expired_sync_token_leads_to_a_full_resync(
    app, client, service_headers, sync, person, google, router_double, create_event
):
    event = await create_event(person, LUNCH)
    await start(client, service_headers, sync, person)
    google.control.invalidate_sync_tokens(EMAIL)
    before = (await watched(app)).sync_token
    await sync.engine.sync(user_id=USER)
    await run_jobs(sync)
    (notice,) = router_double.notices
    assert notice["full_resync"] is True
    assert [e["event_id"] for e in notice["events"]] == [event["id"]]
    after = (await watched(app)).sync_token
    assert after and after != before
    google.control.edit_event(EMAIL, event["id"], summary="다시")
    await sync.engine.sync(user_id=USER)  # the new token works
    await run_jobs(sync)
    assert router_double.notices[1]["full_resync"] is False


async def test_the_safety_net_syncs_without_push(
    app, client, service_headers, sync, person, google, router_double, create_event
):
    event = await create_event(person, LUNCH)
    await start(client, service_headers, sync, person)
    google.control.edit_event(EMAIL, event["id"], summary="푸시 없이")
    sync.settings = sync.settings.model_copy(update={"sync_interval_s": 900.0})
    assert await sync.plan() == 0  # synced just now
    async with app.state.database.sessionmaker() as session:
        row = await session.get(WatchedCalendar, USER)
        row.last_synced_at = utcnow() - timedelta(hours=1)
        await session.commit()
    assert await sync.plan() == 1
    assert await sync.plan() == 0  # one waiting job is enough
    await run_jobs(sync)
    assert [n["events"][0]["title"] for n in router_double.notices] == ["푸시 없이"]


async def test_a_channel_near_its_end_is_replaced_and_the_old_one_stopped(
    app, client, service_headers, sync, person, google
):
    await start(client, service_headers, sync, person)
    old = (await watched(app)).channel_id
    async with app.state.database.sessionmaker() as session:
        row = await session.get(WatchedCalendar, USER)
        row.channel_expires_at = utcnow() + timedelta(minutes=5)
        await session.commit()
    sync.settings = sync.settings.model_copy(update={"sync_interval_s": 900.0})
    assert await sync.plan() == 1
    await run_jobs(sync)
    new = (await watched(app)).channel_id
    assert new and new != old
    channels = {c["id"]: c for c in google.control.channels()}
    assert channels[old]["stopped"] is True
    assert channels[new]["stopped"] is False


async def test_stop_stops_the_channel_when_the_grant_allows(
    app, client, service_headers, sync, person, google, receiver
):
    await start(client, service_headers, sync, person)
    (sync_message,) = receiver.wait_for(1)
    answer = await client.delete(f"/v1/sync/people/{person}", headers=service_headers)
    assert answer.status_code == 202
    await run_jobs(sync)
    (channel,) = google.control.channels()
    assert channel["stopped"] is True
    row = await watched(app)
    assert (row.active, row.channel_id, row.sync_token) == (False, None, None)
    assert (await relay(client, sync_message)).status_code == 404


async def test_a_stop_asked_now_stops_the_channel_within_the_request(
    app, client, service_headers, sync, person, google, receiver
):
    """A disconnect asks this before auth-server revokes the grant at Google."""
    await start(client, service_headers, sync, person)
    (sync_message,) = receiver.wait_for(1)
    answer = await stop_now(client, service_headers, person)
    assert (answer.status_code, answer.json()) == (202, {"status": "stopped"})
    (channel,) = google.control.channels()
    assert channel["stopped"] is True
    row = await watched(app)
    assert (row.active, row.channel_id, row.sync_token) == (False, None, None)
    assert (await relay(client, sync_message)).status_code == 404
    google.control.revoke(EMAIL)  # then the grant goes; the queued stop has nothing left
    await run_jobs(sync)
    async with app.state.database.sessionmaker() as session:
        jobs = (await session.scalars(select(SyncJob).where(SyncJob.kind == "unwatch"))).all()
        assert [job.state for job in jobs] == ["done"]


async def test_a_stop_asked_now_with_google_away_is_left_to_the_queue(
    app, client, service_headers, sync, person, google
):
    await start(client, service_headers, sync, person)
    google.control.fault("calendar.channels.stop", status=503, count=100)
    answer = await stop_now(client, service_headers, person)
    assert (answer.status_code, answer.json()) == (202, {"status": "accepted"})
    assert (await watched(app)).active is False
    (channel,) = google.control.channels()
    assert channel["stopped"] is False
    google.control.clear_faults()
    async with app.state.database.sessionmaker() as session:
        job = await session.scalar(select(SyncJob).where(SyncJob.kind == "unwatch"))
        assert job is not None and job.state == "pending"
        job.due_at = utcnow()
        await session.commit()
    await run_jobs(sync)
    (channel,) = google.control.channels()
    assert channel["stopped"] is True


@pytest.mark.parametrize("status", [400, 403])
async def test_a_stop_asked_now_that_google_refuses_is_left_to_the_queue(
    app, client, service_headers, sync, person, google, status
):
    """The stop was recorded and queued: Google refusing the in-request try is no error."""
    await start(client, service_headers, sync, person)
    google.control.fault("calendar.channels.stop", status=status, count=1)
    answer = await stop_now(client, service_headers, person)
    assert (answer.status_code, answer.json()) == (202, {"status": "accepted"})
    assert (await watched(app)).active is False


async def test_after_a_revoked_grant_the_channel_is_forgotten(
    app, client, service_headers, sync, person, google, receiver, router_double, create_event
):
    event = await create_event(person, LUNCH)
    await start(client, service_headers, sync, person)
    receiver.wait_for(1)
    google.control.revoke(EMAIL)  # what auth-server's disconnect does first
    await client.delete(f"/v1/sync/people/{person}", headers=service_headers)
    await run_jobs(sync)
    row = await watched(app)
    assert (row.active, row.channel_id) == (False, None)
    # Google still has the channel (no grant to stop it with); its messages are refused.
    google.control.edit_event(EMAIL, event["id"], summary="연결 해제 뒤")
    assert (await relay(client, receiver.wait_for(2)[1])).status_code == 404
    await run_jobs(sync)
    assert router_double.notices == []


async def test_notifications_that_do_not_match_a_channel_are_404(
    app, client, service_headers, sync, person, receiver
):
    await start(client, service_headers, sync, person)
    (message,) = receiver.wait_for(1)
    for change in (
        {"X-Goog-Channel-ID": "someone-else"},
        {"X-Goog-Channel-Token": "guessed"},
        {"X-Goog-Resource-ID": "other-resource"},
    ):
        answer = await relay(client, {**message, **change, "X-Goog-Resource-State": "exists"})
        assert answer.status_code == 404
        assert answer.json()["error"]["code"] == "sync.channel_unknown"
    no_token = {k: v for k, v in message.items() if k != "X-Goog-Channel-Token"}
    assert (await relay(client, no_token)).status_code == 404
    missing = await client.post("/google/notifications")
    assert missing.status_code == 400
    odd = await relay(client, {**message, "X-Goog-Resource-State": "weird"})
    assert odd.status_code == 400
    async with app.state.database.sessionmaker() as session:
        pending = await session.scalars(select(SyncJob).where(SyncJob.state == "pending"))
        assert pending.all() == []


async def test_a_refused_notice_is_delivered_again(
    app, client, service_headers, sync, person, google, router_double, create_event
):
    await refused_notice(
        client, service_headers, sync, person, google, router_double, create_event, status=503
    )
    await notice_due_again(app)
    assert await sync.deliver_notices() == 1
    (delivered,) = router_double.notices
    assert delivered["events"][0]["title"] == "바뀜"


async def test_sync_routes_need_the_service_token(client, sync):
    answer = await client.put("/v1/sync/people/u1")
    assert answer.status_code == 401


async def test_an_unstorable_user_id_is_refused_not_a_500(client, sync, service_headers):
    for odd in ("%00", "a%00b", "%ED%A0%80"):
        answer = await client.put(f"/v1/sync/people/{odd}", headers=service_headers)
        assert answer.status_code < 500, (odd, answer.text)
        path = f"/v1/sync/people/{odd}?now=true"
        answer = await client.delete(path, headers=service_headers)
        assert answer.status_code < 500, (odd, answer.text)


@pytest.mark.parametrize(
    ("odd", "code"),
    [
        ("x" * 65, "request.validation_failed"),
        ("%00", "request.invalid_id"),
        ("a%1Fb", "request.invalid_id"),
        ("%2E%2E", "request.invalid_id"),
        ("%2E", "request.invalid_id"),
    ],
)
async def test_an_odd_user_id_is_a_stable_422(client, sync, service_headers, odd, code):
    for method, query in (("PUT", ""), ("DELETE", "?now=true"), ("DELETE", ""), ("GET", "")):
        path = f"/v1/sync/people/{odd}{query}"
        answer = await client.request(method, path, headers=service_headers)
        assert (answer.status_code, answer.json()["error"]["code"]) == (422, code), path


@pytest.mark.parametrize("now", ["maybe", "", "2", "%00", "%ED%A0%80", "x" * 5000])
async def test_a_bad_now_is_a_stable_422(client, sync, service_headers, now):
    path = f"/v1/sync/people/u1?now={now}"
    answer = await client.delete(path, headers=service_headers)
    assert (answer.status_code, answer.json()["error"]["code"]) == (
        422,
        "request.validation_failed",
    )


async def test_a_notice_the_router_calls_invalid_is_not_sent_again(
    app, client, service_headers, sync, person, google, router_double, create_event
):
    await refused_notice(
        client, service_headers, sync, person, google, router_double, create_event, status=422
    )
    assert await notice_due_again(app) == ("failed", "status 422")
    assert await sync.deliver_notices() == 0
    assert router_double.notices == []
