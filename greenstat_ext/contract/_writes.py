"""Which operations the write-side check follows, read from the spec's links: what a send creates, where it
shows, and what removes it.

Why from the spec and not from names or methods: an operation's ``x-creates`` says what it creates,
another's ``x-deletes`` of the same kind what removes it, and the OpenAPI links of a send's 200 answer say
which operation reads the new status (``getStatusStatistic``, ``idMessage`` in the query) and which removes it
(``deleteStatus``, ``idMessage`` in the body). The journal that lists it is not a link target (it takes no
id): it is the read whose ``x-lists`` names the kind created (``_spec.listing``, the same read the client's
advice after a lost answer points to), when its items carry the created id; where they also carry the
``sendByApi`` flag, the spec says a thing posted through the API is listed with it true. Adding a send to the
spec therefore adds it to the check with no change here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from greenstat_ext import _spec as spec

from ._spec import Link, Operation

__all__ = ["BY_API", "Lifecycle", "item_properties", "lifecycles", "needs_state"]

# The journal item's flag that says a status was posted through the API (the spec's OutgoingStatus).
BY_API: Final = "sendByApi"


@dataclass(frozen=True, slots=True)
class Lifecycle:
    """What follows a send: the id field of its answer, the operation reading it, the one deleting it, and
    the journal listing it (each None when the spec has none)."""

    creator: Operation
    source: str  # the field of the send's answer holding the new id (``idMessage``)
    delete: tuple[Operation, Link]
    statistics: tuple[Operation, Link] | None
    journal: Operation | None


def needs_state(operation: Operation, operations: Iterable[Operation]) -> bool:
    """Whether ``operation`` acts on something an earlier answer created: a link fills its *body*.

    Why it matters: a schema-valid request with an id the kit made up gets the documented 400 (``ID message
    notfound``), not a 200; only an id a send answered can get its 200 (the write-side check sends it).
    """
    return any(
        link.target == operation.name and link.location == "body"
        for other in operations
        for link in other.links
    )


def lifecycles(operations: Iterable[Operation]) -> list[Lifecycle]:
    """One :class:`Lifecycle` per operation that creates something (``x-creates``) which an operation that
    deletes that kind (``x-deletes``) can remove, the created id passed along by one of its links."""
    by_name = {operation.name: operation for operation in operations}
    found = []
    for creator in by_name.values():
        if creator.creates is None:
            continue
        deletes = [
            (by_name[link.target], link)
            for link in creator.links
            if link.location == "body"
            and link.target in by_name
            and by_name[link.target].deletes == creator.creates
        ]
        if not deletes:
            continue
        reads = [
            (by_name[link.target], link)
            for link in creator.links
            if link.location == "query" and link.target in by_name and not by_name[link.target].is_write
        ]
        source = deletes[0][1].source
        listed = spec.listing(creator.creates)
        journal = by_name.get(listed.operation_id) if listed is not None else None
        if journal is not None and source not in item_properties(journal):
            journal = None  # its items do not carry the created id: nothing to find it by
        found.append(Lifecycle(creator, source, deletes[0], reads[0] if reads else None, journal))
    return found


def item_properties(operation: Operation) -> frozenset[str]:
    """The members the spec gives the items of ``operation``'s list answer (empty for another answer)."""
    found = spec.operation(operation.name)
    if not found.returns_array or found.result_schema is None:
        return frozenset()
    schemas = spec.document().get("components", {}).get("schemas", {})
    return frozenset(schemas.get(found.result_schema, {}).get("properties", {}))
