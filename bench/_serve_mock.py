"""The mock (``MockServer``: uvicorn on 127.0.0.1) in its own process, so it does not share the measured
client's GIL. Prints ``serving on URL`` and runs until its standard input closes.

    python bench/_serve_mock.py
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _data import bench_data

from greenstat_ext.mock import FaultSettings, MockServer, MockSettings


def main() -> None:
    settings = MockSettings(rate_limit=0, faults=FaultSettings(rate=0.0), data=bench_data())
    with MockServer(settings) as server:
        print(f"serving on {server.base_url}", flush=True)
        sys.stdin.read()  # returns when the parent closes the pipe (or dies)


if __name__ == "__main__":
    main()
