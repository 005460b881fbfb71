"""The names of the environment variables the clients (and the CLI) read, and the default API URL.

Why a module of its own, importing nothing: the CLI declares its options with these names, and
``greenstat --help`` should not load what :mod:`._credentials` needs to validate values (httpx, the
generated models). ``_credentials`` re-exports them; they are public as ``greenstat_ext.ENV_*``.
"""

from __future__ import annotations

__all__ = ["DEFAULT_API_URL", "ENV_API_URL", "ENV_ID_INSTANCE", "ENV_TOKEN"]

ENV_ID_INSTANCE = "GREEN_API_ID_INSTANCE"
ENV_TOKEN = "GREEN_API_TOKEN"  # noqa: S105 - the variable's name, not a secret
ENV_API_URL = "GREEN_API_URL"
DEFAULT_API_URL = "https://api.green-api.com"
