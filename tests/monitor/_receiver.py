"""A real webhook receiver on loopback: verifies every request with ``standardwebhooks`` and answers from a
script (status code and headers per request), recording what it accepted."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


class Receiver:
    def __init__(self, script: list[tuple[int, dict[str, str]]] | None = None) -> None:
        self.script = list(script or [])
        self.events: list[dict[str, Any]] = []
        self.webhook_ids: list[str] = []
        self.requests = 0
        self.bad_signatures = 0
        self.url = ""


@contextmanager
def receiver(script: list[tuple[int, dict[str, str]]] | None = None) -> Iterator[Receiver]:
    state = Receiver(script)
    verifier = Webhook(SECRET)
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            with lock:
                state.requests += 1
                code, headers = state.script.pop(0) if state.script else (200, {})
                try:
                    payload = verifier.verify(body, dict(self.headers.items()))
                except WebhookVerificationError:
                    state.bad_signatures += 1
                    code, headers = 401, {}
                else:
                    if 200 <= code < 300:
                        state.events.extend(payload["data"]["events"])
                        state.webhook_ids.append(self.headers["webhook-id"])
            self.send_response(code)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


def decode_lines(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines()]
