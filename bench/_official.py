"""Runs the official SDK inside its own venv (``bench/.venv-official``): stdlib + the SDK only.

Two modes, both loopback only:

* ``_official.py serve BASE_URL``: reads ``idMessage`` lines on stdin, fetches each once, answers
  ``<elapsed ns> <items>`` (timed here, so the pipe is not measured);
* ``_official.py memory BASE_URL ID WARM_ID``: tracemalloc peak growth of one fetch, as JSON.
"""

from __future__ import annotations

import gc
import json
import sys
import time
import tracemalloc

from whatsapp_api_client_python.API import GreenAPI

ID_INSTANCE = "1101000001"
TOKEN = "d75b3a66374942c5b3c019c698abc2067e151558acbd412345"  # noqa: S105 - the mock's public demo token


def _fetch(client: GreenAPI, id_message: str) -> list[object]:
    response = client.statuses.getStatusStatistic(id_message)
    if response.code != 200:
        raise RuntimeError(f"official SDK: HTTP {response.code}")
    data: list[object] = response.data
    return data


def main() -> None:
    mode, base_url = sys.argv[1], sys.argv[2]
    client = GreenAPI(ID_INSTANCE, TOKEN, host=base_url)
    if mode == "serve":
        for line in sys.stdin:
            started = time.perf_counter_ns()
            items = len(_fetch(client, line.strip()))
            print(time.perf_counter_ns() - started, items, flush=True)
    elif mode == "memory":
        id_message, warm = sys.argv[3], sys.argv[4]
        _fetch(client, warm)
        gc.collect()
        tracemalloc.start()
        base = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        result = _fetch(client, id_message)
        peak = tracemalloc.get_traced_memory()[1] - base
        tracemalloc.stop()
        print(json.dumps({"peak": peak, "items": len(result)}))


if __name__ == "__main__":
    main()
