"""The installed distribution's version, in its own module so every other module can import it cheaply."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("greenstat")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0"
