"""What ``greenstat mock`` prints at start-up: where it serves, what it accepts, and a command to try.

The token is masked unless ``--show-token`` or it is the public demo token (``DEMO_TOKEN``, printed in the
docs: masking it would only make the curl line impossible to paste); then the curl line is a command to
paste as is. A token of the user's own (``--token`` or ``GREENSTAT_MOCK_TOKEN``) stays masked by default.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .._spec import operations

if TYPE_CHECKING:
    from greenstat_client.models import StatusStatistic
    from greenstat_ext.mock import MockSettings

__all__ = ["banner"]


def _rate_text(rate: float | None) -> str:
    if rate is None:
        return ", ".join(f"{op.operation_id} {op.rate_limit.rate:g}/s" for op in operations().values())
    return "off" if rate == 0 else f"{rate:g} request(s)/s for every operation"


def banner(settings: MockSettings, base_url: str, *, show_token: bool, data: Path | None,
            loaded: dict[str, list[StatusStatistic]] | None) -> str:  # fmt: skip
    from greenstat_ext.mock import DEMO_MESSAGES, DEMO_TOKEN, mask_token

    show_token = show_token or settings.token == DEMO_TOKEN
    shown = settings.token if show_token else mask_token(settings.token)
    rate, faults = settings.rate_limit, settings.faults.rate
    lines = [
        f"greenstat mock serving on {base_url}",
        f"  idInstance       {settings.id_instance}",
        f"  apiTokenInstance {shown}"
        + ("  (the public demo token)" if settings.token == DEMO_TOKEN else "")
        + ("" if show_token else "  (--show-token to print it)"),
        f"  rate limit       {_rate_text(rate)}"
        f"; faults {'off' if faults == 0 else f'{faults:g}'}; seed {settings.seed}",
        "  well-known idMessage values (each names the newest re-post at start-up; a later re-post is",
        "  a new status, with an id of its own, listed by getOutgoingStatuses):",
        *(f"    {mid:<34} {spec.description}" for mid, spec in DEMO_MESSAGES.items()),
    ]
    if loaded:
        lines.append(f"  from {data}: {len(loaded)} idMessage value(s)")
        newer = sum(1 for items in loaded.values() for item in items if not item.status.is_known)
        if newer:
            lines.append(f"  {newer} recipient(s) with a status outside the spec's enum (as a newer API)")
    # With the token shown the hint is a command to paste; otherwise the token stays off the screen.
    example = next(iter(DEMO_MESSAGES))
    shown_in_url = settings.token if show_token else "<token: --show-token prints it>"
    lines.append(
        f"  try: curl '{base_url}/waInstance{settings.id_instance}/getStatusStatistic/{shown_in_url}"
        f"?idMessage={example}'"
    )
    return "\n".join(lines)
