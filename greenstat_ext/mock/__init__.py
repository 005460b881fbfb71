"""greenstat's reference mock of Green API's Statuses methods, every operation of ``openapi.yaml``
(routed from the spec's paths): a Starlette app + uvicorn server.

Use it in-process or over real HTTP::

    from greenstat_ext.mock import MockServer, MockSettings, FaultSettings, DEMO_ID_INSTANCE, DEMO_TOKEN

    settings = MockSettings(rate_limit=0, faults=FaultSettings(rate=0.2, seed=1, kinds={"502": 1, "429": 1}))
    with MockServer(settings) as server:          # uvicorn on 127.0.0.1, a free port, a background thread
        ...  # point a client at server.base_url with DEMO_ID_INSTANCE / DEMO_TOKEN
        assert server.stats.count(id_message="BAE5F4886F6F2D05", status=401) == 1

    app = create_app(settings)                    # the bare ASGI app (httpx.ASGITransport, schemathesis)
    get_state(app).stats                          # the same counters

Hit counters (``server.stats`` / ``get_state(app).stats``, a :class:`MockStats`):

- ``stats.by_status`` → ``Counter[int]``: answers per HTTP status code (injected faults included);
- ``stats.requests_for(id_message)`` → ``int``: requests that carried that ``idMessage`` (drops included);
- ``stats.count(id_message=None, status=None)`` → ``int``: answers filtered by either or both;
- ``stats.faults`` → ``Counter[str]``: injected faults per kind (``"429"``, ``"499"``, ``"500"``, ``"502"``,
  ``"drop"``, ``"delay"``); ``stats.dropped``; ``stats.total``; ``stats.reset()``.
- bounded: only spec-valid ``idMessage`` values (1 to 256 characters) are keys, at most 10,000 of them, least
  recently seen first out (``stats.tracked``, ``stats.evicted``);
- ``stats.created`` / ``stats.deleted`` → ``Counter[str]``: statuses the sends actually created, and deleted,
  per send operationId, whatever was answered (a fault may strike after a write acted:
  ``stats.faults_after``), so a test can prove that no status was posted twice.

Writes: a send creates a status (``server.state.posted``, a bounded :class:`PostedStatuses`) that
``getOutgoingStatuses`` lists and whose statistics start ``pending`` and move on with the clock;
``deleteStatus`` removes it (400 ``ID message notfound`` for anything else). See docs/mock.md.

Connections are time-limited (``MockServer(..., timeouts=ConnectionTimeouts(request=, write=,
keep_alive=))``): a client must send each whole request within ``request`` seconds and take answer bytes
within ``write``.

Demo data: :data:`DEMO_MESSAGES` maps the well-known ``idMessage`` values to a :class:`DemoMessage`
(description, recipients, age, pace, re-post period, kind). Each re-post is a new status with an id of its own
(``MessageStore.repost_id``), listed in the journal, final once its recipients are done; each documented id is
a stable alias of the re-post that was the newest when the mock started. Any other ``idMessage`` answers
``[]``. What a re-post id answers is a function of ``seed`` and the wall clock only (docs/mock.md).
"""

from .._extras import extra_imports

# The mock's libraries come with the `mock` extra: without it, an error that names it; with it, any other
# import failure (an incompatible version) names the module and the installed version (_extras.py).
with extra_imports("greenstat_ext.mock", "mock"):
    import starlette  # noqa: F401
    import uvicorn  # noqa: F401

    from ._app import create_app, get_state
    from ._connections import ConnectionTimeouts
    from ._data import DataFileError, load_data, parse_data
    from ._faults import FaultKind, FaultSettings
    from ._instance import MockState
    from ._logging import TokenMaskingFilter, install_token_masking, mask_path, mask_token
    from ._posted import PostedStatuses
    from ._server import AppServer, MockServer
    from ._settings import MockSettings
    from ._state import DEMO_ID_INSTANCE, DEMO_MESSAGES, DEMO_TOKEN, DemoMessage, MessageStore
    from ._stats import MockStats

__all__ = [
    "DEMO_ID_INSTANCE",
    "DEMO_MESSAGES",
    "DEMO_TOKEN",
    "AppServer",
    "ConnectionTimeouts",
    "DataFileError",
    "DemoMessage",
    "FaultKind",
    "FaultSettings",
    "MessageStore",
    "MockServer",
    "MockSettings",
    "MockState",
    "MockStats",
    "PostedStatuses",
    "TokenMaskingFilter",
    "create_app",
    "get_state",
    "install_token_masking",
    "load_data",
    "mask_path",
    "mask_token",
    "parse_data",
]
