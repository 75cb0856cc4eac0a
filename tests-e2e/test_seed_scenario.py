"""The seed scenario through the whole system: a message, a proposal, "그래", one Google event."""

from __future__ import annotations

from harness import SEED, ChatUser, System, connected_user, is_created, proposal_of, seed_events


def test_seed_scenario_creates_exactly_one_event(system: System) -> None:
    user = connected_user(system)
    proposal = proposal_of(user.say(SEED))
    assert "검진" in proposal["text"]
    assert "인천 연수구 갯벌로156" in proposal["text"]
    assert "7:40" in proposal["text"]

    [done] = user.say("그래")
    assert is_created(done), done["text"]

    [event] = seed_events(system, user.email)
    assert event["location"] == "인천 연수구 갯벌로156"
    assert event["start"]["dateTime"].endswith("T07:40:00+09:00")
    assert event["end"]["dateTime"].endswith("T12:00:00+09:00")
    assert system.google.calls().get("calendar.events.insert") == 1

    # A second "그래" has nothing left to approve and creates nothing.
    user.say("그래")
    assert len(seed_events(system, user.email)) == 1


def test_not_connected_yet_connect_then_resume_once(system: System) -> None:
    """Grant missing: a connect link; after consent the request resumes by itself, once."""
    user = ChatUser.new(system)
    system.google.add_account(user.email)
    [ask] = user.say(SEED)
    assert ask["action_state"] == "awaiting_auth"
    after = user.last_id()
    user.connect_google(ask["payload"]["link"]["url"])
    proposal = user.wait_for_reply(
        lambda m: (m.get("payload") or {}).get("kind") == "proposal", after_id=after
    )
    assert "검진" in proposal["text"]
    [done] = user.say("그래")
    assert is_created(done)
    assert len(seed_events(system, user.email)) == 1
    proposals = [m for m in user.history() if (m.get("payload") or {}).get("kind") == "proposal"]
    assert len(proposals) == 1, "the grant event was processed more than once"
