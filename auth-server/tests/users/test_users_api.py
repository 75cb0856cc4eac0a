import pytest

pytestmark = pytest.mark.db


async def test_create_and_read_user(client, service_headers):
    created = await client.post(
        "/internal/users", json={"display_name": "민지"}, headers=service_headers
    )
    assert created.status_code == 201
    user = created.json()
    assert user["display_name"] == "민지"
    assert user["created_at"].endswith("+00:00")

    read = await client.get(f"/internal/users/{user['id']}", headers=service_headers)
    assert read.status_code == 200
    assert read.json() == user


async def test_unknown_user_is_404_with_stable_code(client, service_headers):
    response = await client.get("/internal/users/nobody", headers=service_headers)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "auth.user_not_found"


@pytest.mark.parametrize(
    "headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic x"}]
)
async def test_internal_routes_need_a_service_token(client, headers):
    response = await client.post("/internal/users", json={}, headers=headers)
    assert response.status_code == 401
    body = response.json()["error"]
    assert body["code"] == "auth.invalid_service_token"
    assert body["request_id"] == response.headers["x-request-id"]
