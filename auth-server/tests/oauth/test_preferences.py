"""The account page's read of the person's reminder choices from the router."""

from types import SimpleNamespace
from typing import cast

import httpx

from auth_server.oauth.preferences import reminder_choices
from auth_server.runtime import AuthRuntime


async def test_the_user_id_is_one_encoded_path_segment():
    seen: list[bytes] = []

    def router(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.raw_path)
        return httpx.Response(200, json={"reminder_text": "10분 전", "agenda_text": "매일 8시"})

    http = httpx.AsyncClient(transport=httpx.MockTransport(router), base_url="http://router.test")
    runtime = cast(AuthRuntime, SimpleNamespace(router_http=http))
    choices = await reminder_choices(runtime=runtime, user_id="a/b?c#d%e f")
    assert choices is not None and choices.reminder_text == "10분 전"
    assert seen == [b"/internal/users/a%2Fb%3Fc%23d%25e%20f/preferences"]
