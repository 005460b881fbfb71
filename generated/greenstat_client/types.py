"""Contains some shared types for properties"""

from collections.abc import Mapping, MutableMapping
from typing import IO, Any, BinaryIO, Generic, TypeVar

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


__all__ = ["UNSET", "File", "FileTypes", "Model", "RequestFiles", "Response", "Unset"]
