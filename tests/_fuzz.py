"""How many examples a property test draws: ``make test``'s small, seeded bound, or ``make fuzz``'s volume.

Why: ``make test`` must stay cheap enough to pass on a busy machine (issue 18), so it draws enough examples to
reach every branch once with a fixed derandomized seed; ``make fuzz`` sets ``GREENSTAT_FUZZ_EXAMPLES`` and the
same tests then draw a tenth of it each (500 at the default 5,000), never fewer than ``make test`` does.
"""

from __future__ import annotations

import os


def examples(bounded: int) -> int:
    """``bounded`` in ``make test``; in ``make fuzz``, a tenth of ``GREENSTAT_FUZZ_EXAMPLES`` if more."""
    return max(bounded, int(os.environ.get("GREENSTAT_FUZZ_EXAMPLES", "0")) // 10)
