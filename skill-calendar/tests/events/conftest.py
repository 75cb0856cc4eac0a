"""A connected user in Asia/Seoul and a helper to create events."""

from __future__ import annotations

from typing import Any

import pytest

SEOUL_EMAIL = "minji@example.com"
NY_EMAIL = "jordan@example.com"


@pytest.fixture
def seoul_user(google, auth_double) -> str:
    google.control.add_account(SEOUL_EMAIL, time_zone="Asia/Seoul")
    auth_double.connect(user_id="u-seoul", email=SEOUL_EMAIL)
    return "u-seoul"


@pytest.fixture
def ny_user(google, auth_double) -> str:
    google.control.add_account(NY_EMAIL, time_zone="America/New_York")
    auth_double.connect(user_id="u-ny", email=NY_EMAIL)
    return "u-ny"


@pytest.fixture
def create(client, service_headers):
    async def create(user_id: str, body: dict[str, Any], key: str = "k1"):
        return await client.post(
            f"/v1/users/{user_id}/events",
            json=body,
            headers={**service_headers, "Idempotency-Key": key},
        )

    return create
