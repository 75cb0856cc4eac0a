import json
import logging

import pytest

from shared.context import caller_var, request_id_var
from shared.logging import JsonFormatter, RedactingFilter, TextFormatter, redact


@pytest.mark.parametrize(
    "text",
    [
        "Authorization: Bearer ya29.a0AfH6SMBx-s3cr3t",
        "refresh_token=1//0gABCDEFGHIJKLMNOP-s3cr3t&x=1",
        '{"access_token": "ya29.s3cr3t", "client_secret": "s3cr3t"}',
        "token xoxb-123-456-s3cr3t",
        "GET /oauth/google/callback?state=s3cr3t&code=4/s3cr3t",
        "signing_secret=s3cr3t",
    ],
)
def test_secrets_are_masked(text):
    assert "s3cr3t" not in redact(text)


def test_plain_text_is_kept():
    assert redact("created event for user 42 in 120 ms") == "created event for user 42 in 120 ms"


def record(msg, *args, **extra):
    rec = logging.LogRecord("t", logging.INFO, __file__, 1, msg, args, None)
    for key, value in extra.items():
        setattr(rec, key, value)
    return rec


def test_json_lines_carry_request_id_caller_and_extras():
    rid, caller = request_id_var.set("r-1"), caller_var.set("router")
    try:
        rec = record("token is %s", "Bearer abc.def", attempt=2)
        assert RedactingFilter("auth-server").filter(rec)
    finally:
        request_id_var.reset(rid)
        caller_var.reset(caller)
    line = json.loads(JsonFormatter().format(rec))
    assert line["message"] == "token is Bearer ***"
    assert (line["service"], line["request_id"], line["caller"], line["attempt"]) == (
        "auth-server",
        "r-1",
        "router",
        2,
    )
    assert line["ts"].endswith("+00:00")


def test_text_lines_are_readable():
    rec = record("hello")
    RedactingFilter("router").filter(rec)
    assert "router" in TextFormatter().format(rec)
    assert "hello" in TextFormatter().format(rec)
