"""Contains some shared types for properties"""

import functools
import re
import sys
from collections.abc import Callable, Mapping, MutableMapping
from typing import (
    IO,
    Any,
    BinaryIO,
    Generic,
    Protocol,
    TypeVar,
    runtime_checkable,
)

import httpx
import msgspec
from attrs import define
from msgspec import UNSET
from msgspec import UnsetType as Unset

ModelT = TypeVar("ModelT", bound="Model")


class Model(msgspec.Struct, gc=False, omit_defaults=True):
    """Base of every generated model (greenstat template).

    Why msgspec: one strict decoder that validates while it parses, and small instances. ``gc=False`` is
    safe because models hold only scalars, enums and other models, so they cannot form reference cycles.
    """

    def to_dict(self) -> dict[str, Any]:
        """This object as JSON-ready builtins, with the wire (camelCase) member names."""
        result: dict[str, Any] = msgspec.to_builtins(self)
        return result

    @classmethod
    def from_dict(cls: type[ModelT], src_dict: Mapping[str, Any]) -> ModelT:
        """Build and validate from decoded JSON; raises ``msgspec.ValidationError`` naming the bad member."""
        return msgspec.convert(src_dict, type=cls, strict=True)


DecodedT = TypeVar("DecodedT")
_MSGSPEC_PATH = re.compile(r" - at `(\$[^`]*)`$")
#: The deepest nesting a body may have when ``decode_json`` measures it (a real answer has 3 levels).
MAX_NESTING = 1_000
#: Up to this recursion limit msgspec's own depth check is trusted: it costs 20 to 50 bytes of C stack a
#: level, so even 10,000 levels fit a 1 MB thread stack. An application that raised the limit further
#: (at 1,000,000 a deep body overflowed the 8 MB main stack: a segfault, not an exception) gets the nesting
#: measured before decoding, which costs about ten times the decode itself, so only then.
_TRUSTED_RECURSION_LIMIT = 10_000
#: A body at least this large is decoded in a worker thread by the async endpoints (``build_off_loop``).
OFF_LOOP_BYTES = 512 * 1024
_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')
_NOT_BRACKETS = bytes(byte for byte in range(256) if byte not in b"[]{}")


def decode_json(decoder: "msgspec.json.Decoder[DecodedT]", content: bytes) -> DecodedT:
    """``decoder.decode(content)``, where every way a body can fail is a ``msgspec.DecodeError``.

    msgspec raises two other exceptions on hostile bodies: ``UnicodeDecodeError`` for invalid UTF-8 inside
    a string it decodes (its ``object`` is the body's bytes), and ``RecursionError`` for nesting deeper than
    the interpreter's recursion limit (msgspec checks the depth while parsing, also inside members it skips,
    so nesting is bounded by that limit: about 1,000 levels by default, where a real answer has 3). Both
    mean "not a JSON body this client can read", so callers get the one exception they already handle
    (see ``_TRUSTED_RECURSION_LIMIT`` for the bound when the recursion limit was raised). An
    invalid string's place is given as msgspec's `` - at `$[0].participant` `` suffix when it can be found.
    The new error is raised outside the ``except`` block, so it does not chain the one holding the bytes.
    """
    if sys.getrecursionlimit() > _TRUSTED_RECURSION_LIMIT and _nested_deeper(content, MAX_NESTING):
        raise msgspec.DecodeError(f"JSON nested deeper than {MAX_NESTING} levels")
    try:
        return decoder.decode(content)
    except UnicodeDecodeError as exc:
        problem = f"Invalid UTF-8 in a JSON string ({exc.reason})"
        string = exc.object
    except RecursionError:
        problem = "JSON nested deeper than the decoder's limit"
        string = None
    path = None if string is None else _string_path(decoder, content, bytes(string))
    raise msgspec.DecodeError(problem if path is None else f"{problem} - at `{path}`")


def _nested_deeper(content: bytes, limit: int) -> bool:
    """Whether arrays and objects nest deeper than ``limit`` (brackets inside strings do not count)."""
    if content.count(b"[") + content.count(b"{") <= limit:
        return False
    depth = 0
    for byte in _JSON_STRING.sub(b"", content).translate(None, _NOT_BRACKETS):
        depth += 1 if byte in b"[{" else -1
        if depth > limit:
            return True
    return False


def _string_path(decoder: "msgspec.json.Decoder[Any]", content: bytes, string: bytes) -> str | None:
    """Where the string ``string`` (which has invalid UTF-8) sits: decoding again with ``null`` in its place
    makes msgspec name the member (``Expected `str`, got `null` - at `$[0].status```). None when it cannot
    be found that way (a string with escapes, another bad string first)."""
    needle = b'"' + string + b'"'
    at = content.find(needle)
    if at < 0:
        return None
    try:
        decoder.decode(content[:at] + b"null" + content[at + len(needle) :])
    except msgspec.ValidationError as exc:
        match = _MSGSPEC_PATH.search(str(exc))
        return match.group(1) if match else None
    except (msgspec.DecodeError, UnicodeDecodeError, RecursionError):
        return None
    return None


# The types that `httpx.Client(files=)` can accept, copied from that library.
FileContent = IO[bytes] | bytes | str
FileTypes = (
    # (filename, file (or bytes), content_type)
    tuple[str | None, FileContent, str | None]
    # (filename, file (or bytes), content_type, headers)
    | tuple[str | None, FileContent, str | None, Mapping[str, str]]
)
RequestFiles = list[tuple[str, FileTypes]]


@define
class File:
    """Contains information for file uploads"""

    payload: BinaryIO
    file_name: str | None = None
    mime_type: str | None = None

    def to_tuple(self) -> FileTypes:
        """Return a tuple representation that httpx will accept for multipart/form-data"""
        return self.file_name, self.payload, self.mime_type


T = TypeVar("T")


@define
class Response(Generic[T]):
    """A response from an endpoint"""

    status_code: int
    """ The HTTP status code, as an int: services answer codes (466, 499, 520) that HTTPStatus lacks. """
    content: bytes
    headers: MutableMapping[str, str]
    parsed: T | None


ResultT_co = TypeVar("ResultT_co", covariant=True)


@runtime_checkable
class RawResponse(Protocol[ResultT_co]):
    """What a facade's ``with_raw_response`` methods return (greenstat template): a successful answer with its
    HTTP details and :meth:`parse` for the decoded body.

    A Protocol, not a class, because the facade (generated) must not import the layer that implements it
    (``greenstat_ext.RawResponse`` redacts headers and the request, which this package knows nothing about),
    yet mypy must see ``RawResponse[list[StatusStatistic]]``, not ``Any``: any object with these members fits.
    ``greenstat_ext`` exports this Protocol as its public ``RawResponse`` (so annotations and ``isinstance``
    work with the one name); its implementation class stays private.
    """

    @property
    def status_code(self) -> int: ...

    @property
    def headers(self) -> httpx.Headers: ...

    @property
    def content(self) -> bytes: ...

    @property
    def retries_taken(self) -> int: ...

    @property
    def request(self) -> httpx.Request: ...

    def parse(self) -> ResultT_co: ...


BuiltT = TypeVar("BuiltT")


async def build_off_loop(build: Callable[..., BuiltT], /, **kwargs: Any) -> BuiltT:
    """``build(**kwargs)``, in a worker thread when the response's body is large, else right here.

    Why: decoding is CPU work that holds the event loop. A 100,000-recipient statistics body (7 MB) takes
    ~30 ms to decode, 120 ms under ``-X dev``: every other task of the application would wait that long.
    In a thread the loop keeps running (the GIL is handed over every few milliseconds). Small bodies, the
    usual case, stay on the loop: a thread hop costs more than decoding them. anyio runs the thread, so
    asyncio and trio alike; it is already a dependency of httpx.
    """
    response: httpx.Response = kwargs["response"]
    if len(response.content) < OFF_LOOP_BYTES:
        return build(**kwargs)
    import anyio.to_thread

    return await anyio.to_thread.run_sync(functools.partial(build, **kwargs))


__all__ = [
    "OFF_LOOP_BYTES",
    "UNSET",
    "File",
    "FileTypes",
    "Model",
    "RawResponse",
    "RequestFiles",
    "Response",
    "Unset",
    "build_off_loop",
    "decode_json",
]
