"""Typed settings fields: a zone, a URL or a duration that is wrong fails at start."""

import pytest
from pydantic import BaseModel, ValidationError

from shared.fields import HttpUrl, Seconds, TimeZoneName


class Example(BaseModel):
    zone: TimeZoneName = "Asia/Seoul"
    url: HttpUrl = "http://127.0.0.1:8001"
    timeout: Seconds = 1.0


def test_valid_values_keep_their_plain_form():
    example = Example(zone="America/New_York", url="https://example.com/api/", timeout=0.5)
    assert (example.zone, example.url, example.timeout) == (
        "America/New_York",
        "https://example.com/api/",
        0.5,
    )


@pytest.mark.parametrize("zone", ["Asia/Seuol", "", "Not/AZone", "../etc/passwd"])
def test_a_misspelt_zone_is_refused(zone):
    with pytest.raises(ValidationError, match="time zone"):
        Example(zone=zone)


@pytest.mark.parametrize("url", ["127.0.0.1:8001", "ftp://example.com", "http://", "example.com"])
def test_a_url_without_scheme_or_host_is_refused(url):
    with pytest.raises(ValidationError, match="URL"):
        Example(url=url)


@pytest.mark.parametrize("seconds", [0, -1])
def test_a_duration_must_be_positive(seconds):
    with pytest.raises(ValidationError):
        Example(timeout=seconds)
