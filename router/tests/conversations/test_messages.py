import pytest

from router_service.conversations import service
from router_service.conversations.models import Channel, Direction

pytestmark = pytest.mark.db


async def test_messages_get_database_ids_and_read_back_in_order(app):
    async with app.state.database.sessionmaker() as session:
        first = await service.record_message(
            session=session,
            channel=Channel.web,
            conversation_key="web:s1",
            direction=Direction.inbound,
            text="내일 오후 3시 팀 미팅",
            intent="create_event",
            slots={"title": "팀 미팅"},
        )
        second = await service.record_message(
            session=session,
            channel=Channel.web,
            conversation_key="web:s1",
            direction=Direction.outbound,
            text="등록할까요?",
        )
        await service.record_message(
            session=session,
            channel=Channel.slack,
            conversation_key="slack:T1:D1",
            direction=Direction.inbound,
            text="네",
        )
        await session.commit()
        assert second.id > first.id

    async with app.state.database.sessionmaker() as session:
        history = await service.recent_messages(session=session, conversation_key="web:s1")
    assert [m.text for m in history] == ["내일 오후 3시 팀 미팅", "등록할까요?"]
    assert history[0].slots == {"title": "팀 미팅"}
    assert history[0].created_at.tzinfo is not None
