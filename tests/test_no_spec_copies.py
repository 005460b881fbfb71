"""No hand-written copy of a spec constant in ``greenstat_ext/``: every limit is read through ``_spec``.

Why a test: a bound copied into code (``9_999_999_999``, ``r"[A-Za-z0-9]{1,128}"``, ``DEFAULT_RATE = 1.0``)
keeps its old value when ``openapi.yaml`` changes, and nothing else notices. The values looked for are
derived from the spec itself, so a limit added to the spec is guarded the day it lands:

* every numeric bound (``minimum``, ``maximum``, ``exclusive*``, ``minLength``, ``maxLength``,
  ``minItems``, ``maxItems``, ``multipleOf``, a numeric ``default``), every ``x-rate-limit`` number and the
  rate and interval it implies, and the range of every ``format: intN`` (``-2**63``, ``2**63 - 1``,
  ``2**63``);
* every ``pattern``: as written, without its anchors, and its alphabet when it is ``^[...]+$``.

How: the source is parsed with :mod:`ast`, so comments and docstrings (prose) are never flagged, while
code and string literals are. A number is compared after folding constant arithmetic (``2**63 - 1`` is
caught; ``256 * 1024 * 1024``, a byte count, is a different number and is not). A string literal (an
f-string's literal parts included) is flagged when it contains a pattern or a spec number written out
(``128``, ``9_999_999_999``, ``9,999,999,999``).

Deliberate limits, all stated here rather than hidden:

* **0 to 10 are not looked for as bare numbers.** They bound every slice, loop, retry count and
  comparison; as spec values they are lower bounds (``minimum: 1``, ``minLength: 6``) or rates (5 and 10
  requests per second). A rate *is* looked for where it would matter: a number equal to a spec rate or
  interval bound to a name or keyword that says rate, interval or RPS (``DEFAULT_RATE = 1.0``,
  ``rate=5``).
* **HTTP status codes are not looked for** (400, 429, 500…: the keys of the spec's responses): code that
  handles answers is full of them, and a bound equal to one (``message``'s maxLength 500) cannot be told
  apart from a status code; the client reads that bound through ``_spec`` like every other.
* **A common number is a copy only where its name says so.** A power of two or a round decimal (64,
  256, 1440: :func:`is_common`) is what code picks for its own ends (a cache size, a method name's length)
  as often as a spec does, so a new spec bound of 64 would flag every unrelated 64. Such a literal is
  flagged when it is unnamed (an expression, a return, a string in neither) or bound (assignment,
  keyword, parameter default) to a name sharing a word with a field that holds it: the field's property,
  parameter or component name, or what refers to it (``MAX_TOKEN_LENGTH = 128``, ``TOKEN_HELP = "at most
  128 characters"``); not ``lru_cache(maxsize=64)``. Any other spec number (``9_999_999_999``,
  ``2**63 - 1``, 255) is flagged whatever its name.
* :data:`ALLOWED` lists the literals that equal a spec value by coincidence and whose name still relates to
  its field, each with its reason; an entry that no longer matches anything fails the test too, so the
  list cannot rot.
"""

from __future__ import annotations

import ast
import re
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "greenstat_ext"
SPEC: dict[str, Any] = yaml.safe_load((ROOT / "openapi.yaml").read_text("utf-8"))

_NUMERIC_KEYWORDS = (
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "multipleOf",
    "default",
)
_INTEGER_FORMAT = re.compile(r"int([1-9][0-9]{0,3})")
_CHAR_CLASS_PATTERN = re.compile(r"\^?(\[[^\]]+\])\+\$?")
#: Too common in code to look for as bare numbers (see the module docstring).
TRIVIAL = frozenset(range(11))
#: A name (or keyword) that holds a rate or an interval.
_RATE_NAME = re.compile(r"rate|interval|rps", re.IGNORECASE)

#: (file relative to the repository, the name the literal is assigned to, its value) → why it is no copy.
ALLOWED: dict[tuple[str, str, object], str] = {
    ("greenstat_ext/_cli/_report_data.py", "_MINUTES_PER_DAY", 1440): (
        "a day in minutes, to say a window in days; equals minutes' default by coincidence"
    ),
}


@dataclass(frozen=True)
class SpecValues:
    numbers: frozenset[int | float]
    rates: frozenset[float]
    needles: frozenset[str]
    #: number → the words of the fields that hold it (``ApiTokenInstance`` → api, token, instance).
    fields: dict[int | float, frozenset[str]] = field(default_factory=dict)


#: A word of a name, as :func:`words` splits it: ``MAX_TOKEN_LENGTH`` and ``maxTokenLength`` give the same.
_WORD = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z0-9]+(?![a-z])")
#: Words of field names that say nothing of which field (``id`` is in every other name).
_GENERIC_WORDS = frozenset({"id", "api", "the", "of", "max", "min", "length", "request", "response"})


def words(name: str) -> frozenset[str]:
    """The words of a name in lower case, the generic ones left out (``idMessage`` → message)."""
    found = {word.lower() for word in _WORD.findall(name)}
    return frozenset(found - _GENERIC_WORDS)


def is_common(number: int | float) -> bool:
    """A number code uses for its own ends as often as a spec would: a power of two (a cache size, a
    buffer, a name's length) or a round decimal (60, 1000, 1440). Such a literal is a copy only where its
    name says which field it bounds; any other spec number is a copy wherever it is written."""
    if isinstance(number, float) and not number.is_integer():
        return False
    whole = abs(int(number))
    return whole > 0 and (whole & (whole - 1) == 0 or whole % 10 == 0)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def spec_values(spec: Any) -> SpecValues:
    """Every number, rate and pattern of ``spec`` that code could copy."""
    numbers: set[int | float] = set()
    rates: set[float] = set()
    needles: set[str] = set()
    fields: dict[int | float, set[str]] = {}

    def add(found: set[int | float], context: frozenset[str]) -> None:
        numbers.update(found)
        for number in found:
            fields.setdefault(number, set()).update(context)

    def walk(node: Any, context: frozenset[str] = frozenset(), refs: frozenset[str] = frozenset()) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item, context, refs)
            return
        if not isinstance(node, dict):
            return
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/") and ref not in refs:
            # what refers to a component names its field too (``idMessage`` → ``StatusId``'s maxLength)
            target: Any = spec
            for part in ref[2:].split("/"):
                target = target.get(part, {}) if isinstance(target, dict) else {}
            walk(target, context, refs | {ref})
        if isinstance(node.get("name"), str) and "in" in node:  # a parameter: its name says which field
            context = context | words(node["name"])
        add({node[k] for k in _NUMERIC_KEYWORDS if _is_number(node.get(k))}, context)
        fmt = node.get("format")
        if (
            node.get("type") == "integer"
            and isinstance(fmt, str)
            and (match := _INTEGER_FORMAT.fullmatch(fmt))
        ):
            half = 2 ** (int(match.group(1)) - 1)
            add({-half, half - 1, half}, context | {fmt.lower()})
        limit = node.get("x-rate-limit")
        if isinstance(limit, dict):
            requests, per_seconds = limit["requests"], limit["per_seconds"]
            add({requests, per_seconds}, frozenset({"rate", "requests", "rps"}))
            rates.update({requests / per_seconds, per_seconds / requests})
        pattern = node.get("pattern")
        if isinstance(pattern, str):
            needles.update({pattern, pattern.removeprefix("^").removesuffix("$")})
            if match := _CHAR_CLASS_PATTERN.fullmatch(pattern):
                needles.add(match.group(1))
        for key, value in node.items():
            if key in ("properties", "schemas", "parameters") and isinstance(value, dict):
                # a property, a component schema or parameter: its name says which field
                for name, child in value.items():
                    walk(child, context | words(name), refs)
            elif key not in ("example", "examples", "enum", "const"):
                walk(value, context, refs)

    walk(spec)
    # HTTP status codes (the spec's response keys) are everywhere in code that handles answers; a bound
    # equal to one (``message``'s maxLength 500) cannot be told apart from them, so it is not looked for.
    statuses = {
        int(code)
        for item in spec.get("paths", {}).values()
        for op in item.values()
        if isinstance(op, dict)
        for code in op.get("responses", {})
        if str(code).isdigit()
    }
    kept = frozenset(numbers - TRIVIAL - statuses)
    return SpecValues(
        kept,
        frozenset(rates),
        frozenset(needles),
        {number: frozenset(fields.get(number, ())) for number in kept},
    )


def _fold(node: ast.AST) -> int | float | None:
    """The value of a constant arithmetic expression (``2**63 - 1``), else None."""
    if isinstance(node, ast.Constant):
        value = node.value
        return value if isinstance(value, int | float) and not isinstance(value, bool) else None
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        value = _fold(node.operand)
        return None if value is None else (-value if isinstance(node.op, ast.USub) else value)
    if isinstance(node, ast.BinOp):
        left, right = _fold(node.left), _fold(node.right)
        if left is None or right is None:
            return None
        if isinstance(node.op, ast.Pow):
            return left**right if abs(right) <= 256 else None
        if isinstance(node.op, ast.Add):
            return left + right
        if isinstance(node.op, ast.Sub):
            return left - right
        if isinstance(node.op, ast.Mult):
            return left * right
        if isinstance(node.op, ast.Div | ast.FloorDiv) and right:
            return left / right if isinstance(node.op, ast.Div) else left // right
        if isinstance(node.op, ast.LShift) and 0 <= right <= 256:
            return int(left) << int(right)
    return None


def _written_forms(number: int | float) -> list[str]:
    if isinstance(number, float) and not number.is_integer():
        return [repr(number)]
    whole = int(number)
    return sorted({str(whole), f"{whole:_}", f"{whole:,}"})


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    name: str
    value: object
    what: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.what} {self.value!r}" + (
            f" (in {self.name})" if self.name else ""
        )


class _Scanner(ast.NodeVisitor):
    def __init__(self, path: str, values: SpecValues) -> None:
        self.path = path
        self.values = values
        self.findings: list[Finding] = []
        self._name = ""
        self._number_words = {
            form: number
            for number in values.numbers
            for form in _written_forms(number)
            if len(form) > 1  # single digits in prose-like strings ("1 to 3") say nothing
        }

    def _add(self, node: ast.AST, value: object, what: str) -> None:
        self.findings.append(Finding(self.path, getattr(node, "lineno", 0), self._name, value, what))

    def _copies(self, number: int | float) -> bool:
        """Whether ``number`` written here copies the spec: any spec number that is not common; a common
        one (:func:`is_common`) only unnamed (an expression, a return, a call's positional argument) or
        bound to a name that shares a word with a field holding it (``MAX_TOKEN_LENGTH = 128``), never
        to a name about something else (``lru_cache(maxsize=64)``, ``_METHOD_NAME``)."""
        if number not in self.values.numbers:
            return False
        if not is_common(number) or not self._name:
            return True
        return bool(words(self._name) & self.values.fields.get(number, frozenset()))

    def _named(self, name: str, value_node: ast.AST | None) -> None:
        """A value bound to ``name``: a rate-like name holding a spec rate is a copy too."""
        if value_node is None:
            return
        value = _fold(value_node)
        if value is not None and _RATE_NAME.search(name) and value in self.values.rates:
            self._add(value_node, value, f"spec rate in {name!r}:")

    # -- where names are bound -----------------------------------------------------------------------------
    def visit_Assign(self, node: ast.Assign) -> None:
        names = [t.id for t in node.targets if isinstance(t, ast.Name)]
        for name in names:
            self._named(name, node.value)
        self._visit_named(", ".join(names), node)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        name = node.target.id if isinstance(node.target, ast.Name) else ""
        if isinstance(node.target, ast.Attribute):
            name = node.target.attr
        self._named(name, node.value)
        self._visit_named(name, node)

    def _visit_named(self, name: str, node: ast.AST) -> None:
        outer, self._name = self._name, name
        if isinstance(node, ast.Assign | ast.AnnAssign):
            self.generic_visit(node)
        else:
            self.visit(node)  # a default or a keyword's value: the node itself
        self._name = outer

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        positional = [*node.args.posonlyargs, *node.args.args]
        with_defaults = positional[len(positional) - len(node.args.defaults) :]
        for arg, default in zip(with_defaults, node.args.defaults, strict=True):
            self._named(arg.arg, default)
            self._visit_named(arg.arg, default)
        for arg, kw_default in zip(node.args.kwonlyargs, node.args.kw_defaults, strict=True):
            self._named(arg.arg, kw_default)
            if kw_default is not None:
                self._visit_named(arg.arg, kw_default)
        every = [*positional, *node.args.kwonlyargs, node.args.vararg, node.args.kwarg]
        for annotated in every:
            if annotated is not None and annotated.annotation is not None:
                self.visit(annotated.annotation)
        for child in (*node.decorator_list, *node.body):
            self.visit(child)
        if node.returns is not None:
            self.visit(node.returns)

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_keyword(self, node: ast.keyword) -> None:
        if node.arg:
            self._named(node.arg, node.value)
            self._visit_named(node.arg, node.value)
        else:
            self.generic_visit(node)

    # -- prose is not code ---------------------------------------------------------------------------------
    def visit_Expr(self, node: ast.Expr) -> None:
        if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            return  # a docstring (module, class, function or attribute): prose
        self.generic_visit(node)

    # -- literals ------------------------------------------------------------------------------------------
    def visit_BinOp(self, node: ast.BinOp) -> None:
        value = _fold(node)
        if value is None:
            self.generic_visit(node)
        elif self._copies(value):
            self._add(node, value, "spec number")

    def visit_UnaryOp(self, node: ast.UnaryOp) -> None:
        self.visit_BinOp(node)  # type: ignore[arg-type]

    def visit_Constant(self, node: ast.Constant) -> None:
        value = node.value
        if isinstance(value, int | float) and _is_number(value) and self._copies(value):
            self._add(node, value, "spec number")
        elif isinstance(value, str):
            for needle in self.values.needles:
                if needle in value:
                    self._add(node, needle, "spec pattern")
            for form, number in self._number_words.items():
                if re.search(rf"(?<![\w.]){re.escape(form)}(?![\w.])", value) and self._copies(number):
                    self._add(node, number, f"spec number written {form!r} in a string:")


def scan(source: str, path: str, values: SpecValues) -> list[Finding]:
    scanner = _Scanner(path, values)
    scanner.visit(ast.parse(source))
    return scanner.findings


def _package_findings() -> Iterator[Finding]:
    values = spec_values(SPEC)
    for file in sorted(PACKAGE.rglob("*.py")):
        yield from scan(file.read_text("utf-8"), file.relative_to(ROOT).as_posix(), values)


def test_the_spec_yields_the_values_to_look_for() -> None:
    """Guards the derivation itself: the limits greenstat validates are among the values looked for."""
    values = spec_values(SPEC)
    parameters = SPEC["components"]["parameters"]
    assert parameters["IdInstance"]["schema"]["maximum"] in values.numbers
    assert parameters["ApiTokenInstance"]["schema"]["maxLength"] in values.numbers
    assert SPEC["components"]["schemas"]["StatusId"]["maxLength"] in values.numbers
    assert SPEC["components"]["schemas"]["Participants"]["maxItems"] in values.numbers
    assert (
        SPEC["components"]["schemas"]["SendMediaStatusRequest"]["properties"]["caption"]["maxLength"]
        in values.numbers
    )
    assert {parameters["Minutes"]["schema"][k] for k in ("maximum", "default")} <= values.numbers
    assert {2**63 - 1, -(2**63)} <= values.numbers
    assert 1.0 in values.rates
    assert "[A-Za-z0-9]" in values.needles


def test_no_hand_written_copy_of_a_spec_constant_in_greenstat_ext() -> None:
    findings = list(_package_findings())
    used = {key for key in ALLOWED for f in findings if (f.path, f.name, f.value) == key}
    copies = [f for f in findings if (f.path, f.name, f.value) not in ALLOWED]
    assert not copies, (
        "hand-written copies of spec constants; read them from greenstat_ext._spec:\n"
        + "\n".join(map(str, copies))
    )
    assert used == set(ALLOWED), f"stale ALLOWED entries (nothing matches them): {set(ALLOWED) - used}"


COPIES = textwrap.dedent(
    '''
    """Docstrings are prose: 9_999_999_999 and [A-Za-z0-9] here are fine."""
    import re

    ID_INSTANCE_MAX = 9_999_999_999  # a copy (and this comment is prose)
    TOKEN = re.compile(r"[A-Za-z0-9]{1,128}")
    DEFAULT_RATE = 1.0
    INT64_MIN = -2**63
    INT64_MAX = 2**63 - 1
    BUFFER = 256 * 1024 * 1024
    """An attribute docstring: at most 256 characters (prose)."""


    def check(value: str, rate_limit: float = 1.0) -> str:
        """Function docstrings too: 43200."""
        return f"must be at most {len(value)} of 256 characters" if len(value) > 3 else "ok"


    def call() -> None:
        pace(interval=1.0, retries=1)


    CACHE = functools.lru_cache(maxsize=256)  # a power of two named for something else: no copy
    _METHOD_NAME = re.compile(r"[A-Za-z]{1,256}")  # the same
    MAX_MESSAGE_ID = 256  # a power of two named for idMessage (its maxLength): a copy
    TOKEN_HELP = "at most 128 characters"  # named for the token: a copy
    PAGE = 9_999_999_999  # not a common number: a copy whatever its name
    '''
)


def test_the_scanner_finds_each_kind_of_copy_and_ignores_prose() -> None:
    found = {(f.line, f.value) for f in scan(COPIES, "example.py", spec_values(SPEC))}
    assert found == {
        (5, 9_999_999_999),
        (6, "[A-Za-z0-9]"),
        (6, 128),
        (7, 1.0),
        (8, -(2**63)),
        (9, 2**63 - 1),
        (14, 1.0),
        (16, 256),
        (20, 1.0),
        (25, 256),
        (26, 128),
        (27, 9_999_999_999),
    }, sorted(found, key=str)
