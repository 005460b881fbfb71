"""Write (``--write``, from ``make generate``) or check (``--check``, from ``make check-generated``) the
operation tables of the docs, generated from the spec.

Why: the tables in ``docs/spec.md`` and ``docs/api.md`` were hand-written copies of the spec (operations,
rate limits, signatures) that went stale as soon as an operation was added. Each table sits between two
markers, ``<!-- BEGIN GENERATED: NAME -->`` and ``<!-- END GENERATED: NAME -->``; only what is between them is
rewritten. The facts come from the bundled spec (``greenstat_ext._spec``, which ``make generate`` has just
written from ``openapi.yaml``) and the generated facade (``greenstat_client.api``: the methods' parameters
and return types), so a table says exactly what the code does.
"""

from __future__ import annotations

import difflib
import inspect
import re
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: What an empty cell shows (an en dash, as the docs' other tables).
NONE = "\N{EN DASH}"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _tags(operation_id: str) -> str:
    from greenstat_ext import _spec

    found = _spec.operation(operation_id)
    raw = _spec.document()["paths"][found.path][found.method.lower()]
    return ", ".join(f"`{tag}`" for tag in raw.get("tags", [])) or NONE


def spec_table() -> str:
    """docs/spec.md: each operation: tags, answer, rate limit, effect (x-idempotent, x-creates…x-lists)"""
    from greenstat_ext import _spec

    rows = [
        "| operation | tags | answers (200) | rate limit (`x-rate-limit`) | idempotent "
        "| creates / deletes / lists |",
        "|---|---|---|---|---|---|",
    ]
    for op in _spec.operations().values():
        query = "".join(f"{'?' if i == 0 else '&'}{p.name}=" for i, p in enumerate(op.query_parameters))
        body = f" (JSON body: {', '.join(f'`{m.name}`' for m in op.body)})" if op.body else ""
        if op.result_schema is None:
            answer = "an empty body" if not op.returns_array else "an array"
        else:
            answer = f"array of `{op.result_schema}`" if op.returns_array else f"`{op.result_schema}`"
        limit = op.rate_limit
        rate = f"{limit.requests} request{'s' if limit.requests != 1 else ''} / {limit.per_seconds:g} s"
        effect = " / ".join(
            part
            for part in (
                op.creates and f"creates {op.creates}",
                op.deletes and f"deletes {op.deletes}",
                op.lists and f"lists {op.lists}",
            )
            if part
        )
        rows.append(
            f"| `{op.method} {op.operation_id}{query}`{_cell(body)} | {_tags(op.operation_id)} | {answer} | "
            f"{rate} | {'yes' if op.idempotent else '**no**'} | {effect or NONE} |"
        )
    return "\n".join(rows)


def api_table() -> str:
    """docs/api.md: each method of ``GreenStat`` (the generated facade), its operation, what it returns."""
    from greenstat_client import api

    rows = ["| method | Green API method | returns |", "|---|---|---|"]
    for operation in api.OPERATIONS:
        method = getattr(api.SyncMethods, operation.name)
        arguments: list[str] = []
        for parameter in list(inspect.signature(method).parameters.values())[1:]:
            if parameter.kind is inspect.Parameter.KEYWORD_ONLY and "*" not in arguments:
                arguments.append("*")
            required = parameter.default is inspect.Parameter.empty
            arguments.append(parameter.name if required else f"{parameter.name}=None")
        returns = str(method.__annotations__.get("return", "None"))
        rows.append(
            f"| `{operation.name}({', '.join(arguments)})` | `{operation.operation_id}` | "
            f"`{_cell(returns)}`: {_cell(operation.summary)} |"
        )
    return "\n".join(rows)


TABLES: dict[str, tuple[Path, Callable[[], str]]] = {
    "operations": (ROOT / "docs" / "spec.md", spec_table),
    "methods": (ROOT / "docs" / "api.md", api_table),
}


def render(text: str, name: str, table: str) -> str:
    """``text`` with the block between ``name``'s markers replaced by ``table``."""
    pattern = re.compile(
        rf"(<!-- BEGIN GENERATED: {name} [^>]*-->\n)(?:.*?\n)?(<!-- END GENERATED: {name} -->)", re.DOTALL
    )
    if pattern.search(text) is None:
        raise SystemExit(f"operation_tables: no '<!-- BEGIN GENERATED: {name} ...-->' block")
    return pattern.sub(lambda match: f"{match.group(1)}{table}\n{match.group(2)}", text, count=1)


def main() -> int:
    mode = sys.argv[1] if len(sys.argv) > 1 else "--check"
    if mode not in ("--write", "--check"):
        raise SystemExit("usage: operation_tables.py --write | --check")
    stale = 0
    for name, (path, build) in TABLES.items():
        current = path.read_text(encoding="utf-8")
        fresh = render(current, name, build())
        if fresh == current:
            continue
        if mode == "--write":
            path.write_text(fresh, encoding="utf-8")
            print(f"operation_tables: wrote the {name} table of {path.relative_to(ROOT)}")
        else:
            stale += 1
            diff = difflib.unified_diff(
                current.splitlines(), fresh.splitlines(), str(path), "generated", lineterm=""
            )
            print("\n".join(diff))
    if stale:
        print("operation_tables: a docs table differs from the spec: run 'make generate'", file=sys.stderr)
        return 1
    if mode == "--check":
        print("operation_tables: the docs' operation tables match the spec")
    return 0


if __name__ == "__main__":
    sys.exit(main())
