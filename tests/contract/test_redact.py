from __future__ import annotations

from greenstat_ext.contract._redact import MASK, Redactor


def test_the_token_is_masked_wherever_it_appears() -> None:
    redact = Redactor("abc123SECRET")
    text = "curl http://h/waInstance1/getStatusStatistic/abc123SECRET?idMessage=x; token=abc123SECRET"

    assert redact(text) == f"curl http://h/waInstance1/getStatusStatistic/{MASK}?idMessage=x; token={MASK}"


def test_any_token_segment_is_masked_and_the_repr_hides_the_token() -> None:
    redact = Redactor("abc123SECRET")

    assert redact("/waInstance1/getStatusStatistic/otherToken") == f"/waInstance1/getStatusStatistic/{MASK}"
    assert "abc123SECRET" not in repr(redact)
