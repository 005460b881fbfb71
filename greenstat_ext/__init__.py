"""greenstat: the hand-written layer over the generated ``greenstat_client`` package."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("greenstat")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0"

__all__ = ["__version__"]
