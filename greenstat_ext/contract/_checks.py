"""Which checks a run applies: schemathesis' own response checks plus the kit's contract-specific ones.

Why both: schemathesis' checks (schema, content type, headers, status codes, server errors, positive
and negative data) come from the spec and cover every response. What they cannot know is this API's
meaning: that a wrong token must give 401, a wrong instance 403, an invalid parameter 400 and another
method 405. The kit's checks state exactly that, and nothing schemathesis already does. Every check runs on
every operation of the spec; a finding names its operation, the check's name stays the same.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Final

from schemathesis import CheckFunction
from schemathesis.checks import CHECKS, load_all_checks

from ._errors import ContractUsageError

__all__ = [
    "ALIASES",
    "ALL_CHECKS",
    "KIT_CHECKS",
    "LIMIT_CHECKS",
    "PHASE_CHECKS",
    "SCHEMATHESIS_CHECKS",
    "TEMPORAL_CHECKS",
    "WRITE_CHECKS",
    "resolve_checks",
    "schemathesis_check",
]

SCHEMATHESIS_CHECKS: Final = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
    "negative_data_rejection",
    "positive_data_acceptance",
)
"""The schemathesis checks that apply to a stateless API of independent operations, credentials in the path.

Left out on purpose: ``ignored_auth`` (the spec has no security scheme; ``wrong_token_rejected`` does its
job),
``unsupported_method``/``allow_header_conformance`` (the kit's ``unsupported_method_rejected`` judges
the coverage phase's other-method cases and the kit's HEAD probe, with the RFC 9110 exception for HEAD),
``missing_required_header`` (no header parameter) and the stateful checks (read-only operations that do not
link to each other).
"""

KIT_CHECKS: Final[Mapping[str, str]] = {
    "valid_request_accepted": "the given credentials and valid parameters (each required one, each integer "
    "at its bounds) get a 200 (after waiting out any 429)",
    "wrong_token_rejected": "a well-formed but wrong apiTokenInstance gets 401",
    "wrong_instance_rejected": "a well-formed but wrong idInstance with the right token gets 403",
    "invalid_parameter_rejected": "a missing required parameter, or one out of its declared bounds or type, "
    "gets 400",
    "unsupported_method_rejected": "a method the spec does not declare on the path gets 405 with an Allow "
    "header naming the declared ones (HEAD may instead answer as GET does, without a body: RFC 9110 9.3.2)",
    "unknown_id_answers_empty": "an id the implementation cannot know (a fresh random value of a required "
    "string query parameter) gets 200 and []",
    "recipient_state_monotonic": "polled over the run, a recipient's state never moves backward (in the "
    "order of the spec's state enum)",
    "recipient_timestamp_monotonic": "polled over the run, a recipient's timestamp never decreases",
    "recipient_retained": "polled over the run, a recipient never disappears while its timestamp is within "
    "the retention window",
    "posted_status_lifecycle": "with --allow-writes, a status the valid request of a send posted is listed "
    "once by the journal (getOutgoingStatuses) with sendByApi true, its statistics answer recipients among "
    "those it was sent to, its delete gets 200 with an empty body; after it the journal no longer lists it, "
    "its statistics are [] and a second delete gets 400",
    "rate_limit_enforced": "more requests than the operation's x-rate-limit within its period get a 429",
    "retry_after_conformance": "every 429 carries a Retry-After that matches the spec's header schema (when "
    "the spec's header is optional, an absent one passes)",
}

TEMPORAL_CHECKS: Final = ("recipient_state_monotonic", "recipient_timestamp_monotonic", "recipient_retained")
"""The checks judged on one status polled over the run (:mod:`._temporal`)."""

WRITE_CHECKS: Final = ("posted_status_lifecycle",)
"""The checks judged on the statuses the kit posts (only with ``--allow-writes``; :mod:`._writes`)."""

PHASE_CHECKS: Final = frozenset({*("wrong_token_rejected", "wrong_instance_rejected")})
"""Kit checks the generated phases serve too (besides all of schemathesis' checks)."""

ALIASES: Final[Mapping[str, str]] = {"invalid_id_message_rejected": "invalid_parameter_rejected"}
"""Former names ``--checks`` still accepts (the check was about ``idMessage`` when it was the only one)."""

ALL_CHECKS: Final = (*SCHEMATHESIS_CHECKS, *KIT_CHECKS)

LIMIT_CHECKS: Final[Mapping[str, str]] = {
    "answer_within_limits": "every answer is complete (connect, head and body) within --request-timeout "
    "and at most --max-response-bytes long, on the wire and inflated",
    "run_completed": "the run sends every planned request within --run-timeout (it stops early when 3 "
    "requests in a row get no answer in time)",
}
"""The kit's own bounds, always on and not selectable: they protect the kit, whatever checks are chosen.

Why they are findings and not errors: an implementation that drips, floods or stalls is not conforming, and
the person running the kit needs the rest of the report too. Shown only when they fail (not in
:data:`ALL_CHECKS`, so ``--checks all`` means the same as before).
"""


def resolve_checks(names: Iterable[str] | None) -> tuple[str, ...]:
    """Expand ``all`` and comma-separated lists; reject unknown names. Order follows :data:`ALL_CHECKS`."""
    wanted: set[str] = set()
    for item in names or ("all",):
        for name in (part.strip() for part in item.split(",")):
            if not name:
                continue
            if name == "all":
                wanted.update(ALL_CHECKS)
            elif name in ALL_CHECKS:
                wanted.add(name)
            elif name in ALIASES:
                wanted.add(ALIASES[name])
            else:
                raise ContractUsageError(
                    f"unknown check {name!r}; known checks: all, {', '.join(ALL_CHECKS)}"
                )
    if not wanted:
        raise ContractUsageError("checks selects no check: name at least one, or all")
    return tuple(name for name in ALL_CHECKS if name in wanted)


def schemathesis_check(name: str) -> CheckFunction:
    """The registered schemathesis check function called ``name``."""
    load_all_checks()
    check = CHECKS.get_one(name)
    assert callable(check)
    return check  # type: ignore[return-value]
