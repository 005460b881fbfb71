"""Peak memory growth of ONE fetch of one path, in a fresh process (so no earlier path's garbage or
allocator state counts): tracemalloc peak minus the traced size before the call, after a small warm-up call
(imports, connection). Prints JSON ``{"peak": bytes, "items": n}``.

    python bench/_memory.py PATH BASE_URL ID_MESSAGE WARM_ID_MESSAGE [RAW_DIR]
"""

from __future__ import annotations

import gc
import json
import sys
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _paths import build


def main() -> None:
    name, base_url, id_message, warm = sys.argv[1:5]
    raw_dir = sys.argv[5] if len(sys.argv) > 5 else None
    fetch, close = build(name, base_url, raw_dir)
    fetch(warm)
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    tracemalloc.reset_peak()
    result = fetch(id_message)
    peak = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    close()
    print(json.dumps({"peak": peak, "items": len(result)}))


if __name__ == "__main__":
    main()
