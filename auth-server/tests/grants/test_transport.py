"""Google endpoints must be https; plain http only on loopback or on hosts named explicitly."""

import pytest

from auth_server.config import AuthSettings
from auth_server.main import create_app

SANDBOX = {
    "google_auth_uri": "http://127.0.0.1:8090/o/oauth2/v2/auth",
    "google_token_uri": "http://google-emulator:8090/token",
    "google_revoke_uri": "http://google-emulator:8090/revoke",
    "google_userinfo_uri": "http://google-emulator:8090/v1/userinfo",
}


def test_plain_http_to_another_host_is_refused(settings: AuthSettings):
    with pytest.raises(ValueError, match="must use https"):
        create_app(settings.model_copy(update=SANDBOX))


def test_the_compose_sandbox_names_its_emulator_host(settings: AuthSettings):
    sandbox = settings.model_copy(update=SANDBOX | {"google_allow_http_hosts": ["google-emulator"]})
    assert create_app(sandbox).state.auth.google.token_uri == SANDBOX["google_token_uri"]


def test_naming_one_host_allows_no_other(settings: AuthSettings):
    other = settings.model_copy(update=SANDBOX | {"google_allow_http_hosts": ["elsewhere"]})
    with pytest.raises(ValueError, match="google-emulator"):
        create_app(other)


def test_the_setting_reads_a_json_list_from_the_environment(monkeypatch, database_url):
    monkeypatch.setenv("AUTH_GOOGLE_ALLOW_HTTP_HOSTS", '["google-emulator"]')
    assert AuthSettings(database_url=database_url).google_allow_http_hosts == ["google-emulator"]
