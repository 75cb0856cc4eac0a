"""Typed settings fields: a zone or a URL that is wrong fails at start."""

import pytest
from pydantic import BaseModel, ValidationError

from shared.fields import HttpUrl, TimeZoneName


class Example(BaseModel):
    zone: TimeZoneName = "Asia/Seoul"
    url: HttpUrl = "http://127.0.0.1:8001"


def test_valid_values_keep_their_plain_form():
    example = Example(zone="America/New_York", url="https://example.com/api/")
    assert (example.zone, example.url) == ("America/New_York", "https://example.com/api/")


@pytest.mark.parametrize("zone", ["Asia/Seuol", "", "Not/AZone", "../etc/passwd"])
def test_a_misspelt_zone_is_refused(zone):
    with pytest.raises(ValidationError, match="time zone"):
        Example(zone=zone)


@pytest.mark.parametrize("url", ["127.0.0.1:8001", "ftp://example.com", "http://", "example.com"])
def test_a_url_without_scheme_or_host_is_refused(url):
    with pytest.raises(ValidationError, match="URL"):
        Example(url=url)
