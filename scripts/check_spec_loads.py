"""Lint openapi.yaml beyond structural validity (openapi-spec-validator runs first, in the Makefile).

Why: a spec can be valid OpenAPI and still be useless as a contract: examples that break their own schema,
or a schema schemathesis cannot turn into test data. This script fails (exit 1) on any warning.

1. schemathesis loads the spec with every Python warning turned into an error, and builds a positive and a
   negative case strategy for each operation, drawing a few cases from each.
2. Every example validates against its schema: media-type ``example``/``examples``, parameter ``example``,
   and, anywhere in the document, a schema's own ``examples`` list and ``default`` (a ``default`` outside
   its own bounds, or a property example that breaks its property, would mislead a reader and a generator).
3. Every operation documents its rate limit: ``x-rate-limit: {requests: N, per_seconds: S}`` with N a positive
   integer and S a positive number (the client's and the mock's limiters read it; see greenstat_ext/_spec.py),
   and a rate written out in its description ("Rate limit: 5 requests per second") says the same.
4. What each call does is well-formed (docs/spec.md, "What a call does"): ``x-idempotent`` a boolean,
   ``x-creates``/``x-deletes`` a kind (``status``); an operation that creates or deletes is not marked
   idempotent-and-safe by omission (a GET that creates must say ``x-idempotent``), every kind deleted is
   created by some operation; ``x-lists`` a kind, on a read (neither creating nor deleting, safe or stated
   ``x-idempotent: true``), at most one read per kind, ``x-lists-note`` text beside an ``x-lists``.
5. Every operation declares the shared error responses: each error code (4xx, 5xx) that every *other*
   operation declares (by ``$ref`` or inline: ``deleteStatus`` has its own 400) and that some operation
   answers with an entry of ``components/responses`` (400, 401, 403, 429, 466, 499, 500, 502 today). Why:
   an error answer every method may give is written once in the components; the client maps each code to a
   typed error and the contract kit fails an answer whose code the operation does not declare, so an
   operation that lacks one fails the kit's run against a conforming server, long after the spec change
   that caused it: this says which at once. Why "every other operation" and not "every component": a
   component used by one method only (a 404 of its own) or reused for a second code (one "server error"
   answer for 502 and 503) is good OpenAPI style, and requires nothing of the others.
"""

from __future__ import annotations

import re
import sys
import warnings
from pathlib import Path
from typing import Any

import jsonschema
import yaml
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st


def _resolve(spec: dict[str, Any], node: Any) -> Any:
    while isinstance(node, dict) and "$ref" in node:
        target: Any = spec
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def check_examples(spec: dict[str, Any]) -> int:
    """Validate every example against its schema; return how many were checked."""
    registry_root = {"components": spec.get("components", {})}
    checked = 0

    def validate(where: str, schema: dict[str, Any], value: Any) -> None:
        nonlocal checked
        full = {**schema, "components": registry_root["components"]}
        validator = jsonschema.Draft202012Validator(full, format_checker=jsonschema.FormatChecker())
        errors = sorted(validator.iter_errors(value), key=lambda e: list(e.path))
        if errors:
            raise SystemExit(f"lint-spec: example {where} breaks its schema: {errors[0].message}")
        checked += 1

    for path, item in spec["paths"].items():
        for method, op in item.items():
            for param in op.get("parameters", []):
                param = _resolve(spec, param)
                if "example" in param:
                    validate(
                        f"{method.upper()} {path} param {param['name']}", param["schema"], param["example"]
                    )
            for code, response in op.get("responses", {}).items():
                response = _resolve(spec, response)
                for media, content in response.get("content", {}).items():
                    schema = content.get("schema", {})
                    where = f"{method.upper()} {path} {code} {media}"
                    if "example" in content:
                        validate(where, schema, content["example"])
                    for name, example in content.get("examples", {}).items():
                        validate(f"{where} [{name}]", schema, _resolve(spec, example)["value"])

    def walk(where: str, node: Any) -> None:
        if isinstance(node, list):
            for index, item in enumerate(node):
                walk(f"{where}/{index}", item)
            return
        if not isinstance(node, dict):
            return
        # Only a Schema Object has a *list* of ``examples`` (media types and parameters have a mapping).
        own = {key: value for key, value in node.items() if key not in ("examples", "default")}
        if isinstance(node.get("examples"), list):
            for index, example in enumerate(node["examples"]):
                validate(f"{where} examples[{index}]", own, example)
        if "default" in node and ("type" in node or "$ref" in node):
            validate(f"{where} default", own, node["default"])
        for key, value in node.items():
            if key not in ("examples", "example", "default", "enum", "const"):
                walk(f"{where}/{key}", value)

    walk("#", spec)
    return checked


def check_rate_limits(spec: dict[str, Any]) -> int:
    """Every operation has a well-formed ``x-rate-limit``; return how many operations were checked."""
    checked = 0
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if not isinstance(op, dict) or "operationId" not in op:
                continue
            limit = op.get("x-rate-limit")
            where = f"{method.upper()} {path}"
            if not isinstance(limit, dict) or set(limit) != {"requests", "per_seconds"}:
                raise SystemExit(f"lint-spec: {where} needs x-rate-limit: {{requests: N, per_seconds: S}}")
            requests, per_seconds = limit["requests"], limit["per_seconds"]
            if isinstance(requests, bool) or not isinstance(requests, int) or requests < 1:
                raise SystemExit(f"lint-spec: {where} x-rate-limit.requests must be a positive integer")
            if isinstance(per_seconds, bool) or not isinstance(per_seconds, int | float) or per_seconds <= 0:
                raise SystemExit(f"lint-spec: {where} x-rate-limit.per_seconds must be a positive number")
            stated = _STATED_RATE.search(str(op.get("description", "")))
            if stated is not None:
                said = (int(stated["requests"]), float(stated["seconds"] or 1))
                if said != (requests, float(per_seconds)):
                    raise SystemExit(
                        f"lint-spec: {where} description says {said[0]} per {said[1]:g} s, "
                        f"x-rate-limit says {requests} per {per_seconds:g} s"
                    )
            checked += 1
    return checked


#: A rate written out in an operation's description ("Rate limit: 5 requests per second"): a prose copy of
#: its x-rate-limit, checked so that it cannot go stale.
_STATED_RATE = re.compile(
    r"Rate limit: (?P<requests>[0-9]+) requests? per (?:(?P<seconds>[0-9.]+) )?seconds?"
)
_KIND = re.compile(r"[a-z][a-z0-9_]{0,63}")
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def check_effects(spec: dict[str, Any]) -> int:
    """``x-idempotent``, ``x-creates``, ``x-deletes``, ``x-lists`` are well-formed; return how many operations
    set one."""
    created: set[str] = set()
    deleted: dict[str, str] = {}
    listed: dict[str, str] = {}
    stated = 0
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if not isinstance(op, dict) or "operationId" not in op:
                continue
            where = f"{method.upper()} {path}"
            keys = {"x-idempotent", "x-creates", "x-deletes", "x-lists"} & set(op)
            stated += bool(keys)
            if "x-idempotent" in op and not isinstance(op["x-idempotent"], bool):
                raise SystemExit(f"lint-spec: {where} x-idempotent must be true or false")
            for key in ("x-creates", "x-deletes"):
                if key in op and not (isinstance(op[key], str) and _KIND.fullmatch(op[key])):
                    raise SystemExit(
                        f"lint-spec: {where} {key} must name a kind of thing in lower case (status)"
                    )
            acts = "x-creates" in op or "x-deletes" in op
            if acts and method.upper() in _SAFE_METHODS and "x-idempotent" not in op:
                raise SystemExit(
                    f"lint-spec: {where} creates or deletes with a safe method: state x-idempotent"
                )
            if "x-creates" in op:
                created.add(op["x-creates"])
            if "x-deletes" in op:
                deleted[op["x-deletes"]] = where
            _check_lists(where, method, op, listed)
    for kind, where in deleted.items():
        if kind not in created:
            raise SystemExit(f"lint-spec: {where} x-deletes {kind!r}, which no operation's x-creates names")
    return stated


def _check_lists(where: str, method: str, op: dict[str, Any], listed: dict[str, str]) -> None:
    """``x-lists`` / ``x-lists-note`` of one operation; ``listed``: kind -> the read already listing it."""
    if "x-lists-note" in op and ("x-lists" not in op or not isinstance(op["x-lists-note"], str)):
        raise SystemExit(f"lint-spec: {where} x-lists-note must be text, beside an x-lists")
    if "x-lists" not in op:
        return
    kind = op["x-lists"]
    if not (isinstance(kind, str) and _KIND.fullmatch(kind)):
        raise SystemExit(f"lint-spec: {where} x-lists must name a kind of thing in lower case (status)")
    safe = method.upper() in _SAFE_METHODS if "x-idempotent" not in op else op["x-idempotent"] is True
    if "x-creates" in op or "x-deletes" in op or not safe:
        raise SystemExit(f"lint-spec: {where} x-lists on a write: only a read can be where to look first")
    if kind in listed:
        raise SystemExit(f"lint-spec: {where} x-lists {kind!r}, which {listed[kind]} lists already")
    listed[kind] = where


def _error_codes(spec: dict[str, Any]) -> tuple[dict[str, set[str]], dict[str, str]]:
    """Each operation's declared error codes (``where`` -> codes), and each code some operation answers
    with an entry of ``components/responses`` (code -> the entry's name, the first one met)."""
    prefix = "#/components/responses/"
    declared: dict[str, set[str]] = {}
    components: dict[str, str] = {}
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if not isinstance(op, dict) or "operationId" not in op:
                continue
            codes = {str(code) for code in op.get("responses", {}) if str(code)[:1] in "45"}
            declared[f"{method.upper()} {path} ({op['operationId']})"] = codes
            for code, response in op.get("responses", {}).items():
                ref = response.get("$ref", "") if isinstance(response, dict) else ""
                if str(code)[:1] in "45" and ref.startswith(prefix):
                    components.setdefault(str(code), ref.removeprefix(prefix))
    return declared, components


def check_error_responses(spec: dict[str, Any]) -> int:
    """Every operation declares each shared error code (point 5); return how many codes all share."""
    declared, components = _error_codes(spec)
    for where, codes in declared.items():
        others = [other for name, other in declared.items() if name != where]
        if not others:
            continue
        required = set.intersection(*others) & components.keys()
        missing = [f"{code} ({components[code]})" for code in sorted(required - codes)]
        if missing:
            raise SystemExit(
                f"lint-spec: {where} lacks the shared error response(s) {', '.join(missing)}: every other "
                "operation declares it (the kit fails an answer whose code an operation does not declare)"
            )
    everyone = set.intersection(*declared.values()) if declared else set()
    return len(everyone & components.keys())


def check_schemathesis(path: Path) -> int:
    import schemathesis
    from schemathesis.core.result import Err

    schema = schemathesis.openapi.from_path(str(path))
    drawn = 0
    for result in schema.get_all_operations():
        if isinstance(result, Err):
            raise SystemExit(f"lint-spec: schemathesis cannot load an operation: {result.err()}")
        operation = result.ok()
        for mode in (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE):
            strategy = operation.as_strategy(generation_mode=mode)

            @seed(0)
            @settings(max_examples=10, database=None, deadline=None, suppress_health_check=list(HealthCheck))
            @given(case=strategy, _=st.just(None))
            def draw(case: Any, _: None) -> None:
                nonlocal drawn
                drawn += 1

            draw()
    return drawn


def main() -> int:
    path = Path(sys.argv[1] if len(sys.argv) > 1 else "openapi.yaml")
    warnings.simplefilter("error")
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    examples = check_examples(spec)
    limited = check_rate_limits(spec)
    effects = check_effects(spec)
    errors = check_error_responses(spec)
    cases = check_schemathesis(path)
    print(
        f"lint-spec: {path}: {examples} examples match their schemas; {limited} operations rate-limited; "
        f"{effects} state x-idempotent/x-creates/x-deletes/x-lists; every operation declares the {errors} "
        "shared error responses; "
        f"schemathesis drew {cases} cases, 0 warnings"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
