"""``format: uri`` in ``_fields``: RFC 3986, as schemathesis (jsonschema-rs) judges a server by it."""

from __future__ import annotations

import random

import jsonschema_rs
import pytest

from greenstat_ext._fields import FieldError, _is_uri, checker
from greenstat_ext._spec import parameter

URL_FILE = parameter("sendMediaStatus", "urlFile")


def test_agrees_with_jsonschema_rs_on_seeded_strings() -> None:
    reference = jsonschema_rs.validator_for({"type": "string", "format": "uri"}, validate_formats=True)
    rng = random.Random(0)
    alphabet = "ab/:?#[]@%!$&'()*+,;=-._~09AFé<> {}|^`\"\\v"
    cases = ["http://[::1]/", "http://[v1.x]/", "http://[::1%25eth0]/", "http://[1:2:3:4:5:6:7:8:9]/"]
    cases += [
        "http://" + "".join(rng.choice(alphabet) for _ in range(rng.randrange(12))) for _ in range(5000)
    ]
    disagreements = [case for case in cases if _is_uri(case) != reference.is_valid(case)]
    assert disagreements == []
    assert 0 < sum(map(_is_uri, cases)) < len(cases)  # both answers were exercised


@pytest.mark.parametrize(
    "value", ["https://x/a<b>.png", "http://%zz/a.png", "http://a:b:c/a.png", "http://é/a"]
)
def test_a_url_that_matches_the_pattern_but_is_no_uri_is_refused(value: str) -> None:
    assert URL_FILE.format == "uri"
    with pytest.raises(FieldError, match=r"^urlFile: must be an absolute URI \(RFC 3986\)$"):
        checker(URL_FILE)("urlFile", value)


def test_real_urls_pass() -> None:
    for value in [
        "https://my.site.com/img/horse.png",
        "https://a.b/c?d=%E2%82%AC#x",
        "http://u:p@[::1]:8080/v",
    ]:
        checker(URL_FILE)("urlFile", value)
