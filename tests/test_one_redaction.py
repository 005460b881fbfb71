"""One redaction module: the client, the mock's logs, the contract kit and the CLI all mask tokens through
``greenstat_ext._redact``, and each of them hides any token in any Green API path, whatever the method.

Why both halves: the structural half (imports, no second regex) keeps a fifth variant from growing back; the
property half shows that the one implementation really serves each caller, for tokens of every length the
spec allows and for method names no spec has yet (``sendTextStatus``, ``deleteStatus``, …).
"""

from __future__ import annotations

import ast
import logging
from pathlib import Path

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import greenstat_ext
from greenstat_ext import _spec
from greenstat_ext._cli._common import unexpected as _unexpected
from greenstat_ext._redact import MASK, RedactingFilter, Redactor, mask_url_paths, redact, redact_url
from greenstat_ext.mock import TokenMaskingFilter, mask_path

PACKAGE = Path(greenstat_ext.__file__).resolve().parent
REDACT = PACKAGE / "_redact.py"
REDACT_MODULE = "greenstat_ext._redact"
#: The callers that mask tokens, and the part each belongs to.
CALLERS = {
    "mock": PACKAGE / "mock" / "_logging.py",
    "kit": PACKAGE / "contract" / "_core.py",  # where each exchange is recorded, its token masked
    "cli": PACKAGE / "_cli" / "_common.py",
}
_REGEX_CALLS = {"compile", "sub", "subn", "search", "match", "fullmatch", "findall", "finditer", "split"}
_SUBSTITUTIONS = {"sub", "subn", "split"}


def _sources() -> list[Path]:
    return sorted(path for path in PACKAGE.rglob("*.py") if path != REDACT)


def _imports_from(tree: ast.Module, path: Path) -> set[str]:
    """Absolute names of the modules ``tree`` imports from (relative imports resolved)."""
    package = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts[:-1])
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                found.add(".".join([*base, *([node.module] if node.module else [])]))
            elif node.module:
                found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def _module_level_imports(tree: ast.Module) -> set[str]:
    """Top-level modules imported when the module is imported (not under ``if TYPE_CHECKING``)."""
    found: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("part", sorted(CALLERS))
def test_each_caller_masks_through_the_one_module(part: str) -> None:
    path = CALLERS[part]
    assert REDACT_MODULE in _imports_from(ast.parse(path.read_text("utf-8")), path)


def test_no_second_masking_implementation_in_the_package() -> None:
    """Outside ``_redact.py``: no regex over ``waInstance`` that rewrites text, no ``MASK`` of one's own,
    and no ``text.replace(token, MASK)``. A regex that only *matches* a path (a router) is not masking."""
    offences = [
        f"{path.relative_to(PACKAGE.parent)}:{offence}"
        for path in _sources()
        for offence in _masking_code(ast.parse(path.read_text("utf-8")))
    ]
    assert not offences, "token masking outside greenstat_ext/_redact.py:\n" + "\n".join(offences)


def _masking_code(tree: ast.Module) -> list[str]:
    """Where ``tree`` masks tokens by itself, as ``line: what``."""
    found: list[str] = []
    instance_patterns: set[str] = set()  # names bound to a compiled regex over waInstance
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Call)
            and _is_instance_regex(node.value)
        ):
            instance_patterns.update(t.id for t in node.targets if isinstance(t, ast.Name))
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "MASK" for t in node.targets
        ):
            found.append(f"{node.lineno}: defines its own MASK")
        if isinstance(node, ast.Constant) and node.value == MASK:
            found.append(f"{node.lineno}: spells the mask {MASK!r} itself")
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        name, receiver = node.func.attr, node.func.value
        compiled = isinstance(receiver, ast.Name) and receiver.id in instance_patterns
        if name in _SUBSTITUTIONS and (compiled or _is_instance_regex(node)):
            found.append(f"{node.lineno}: rewrites text with a regex over waInstance")
        if name == "replace" and any(isinstance(arg, ast.Name) and arg.id == "MASK" for arg in node.args):
            found.append(f"{node.lineno}: replaces a token with MASK itself")
    return found


def _is_instance_regex(call: ast.Call) -> bool:
    """``re.<function>("…waInstance…", …)``, in any case, str or bytes."""
    func = call.func
    if not (isinstance(func, ast.Attribute) and func.attr in _REGEX_CALLS and call.args):
        return False
    if not (isinstance(func.value, ast.Name) and func.value.id == "re"):
        return False
    first = call.args[0]
    return isinstance(first, ast.Constant) and "wainstance" in str(first.value).lower()


def test_the_check_above_can_fail() -> None:
    """Each kind of duplicate the check looks for is found, so its silence on the package means something;
    a router's match-only regex is not one."""
    source = (
        "import re\nMASK = '***'\n_P = re.compile(r'/waInstance[0-9]+/[A-Za-z]+/([^/]+)')\n"
        "_ROUTE = re.compile(rb'/waInstance([^/]*)/getStatusStatistic/([^/]*)')\n"
        "def f(t, token):\n    return _P.sub('/x', t).replace(token, MASK)\n"
        "def g(t):\n    return re.sub('(?i)/wainstance.*', '', t) if _ROUTE.match(t) else t\n"
    )

    found = _masking_code(ast.parse(source))

    assert sorted(found) == [
        "2: defines its own MASK",
        "2: spells the mask '***' itself",
        "6: replaces a token with MASK itself",
        "6: rewrites text with a regex over waInstance",
        "8: rewrites text with a regex over waInstance",
    ]


def test_the_masking_core_needs_no_httpx() -> None:
    """The mock and the kit import ``_redact`` without the client's HTTP library: ``_redact.py`` imports
    httpx only inside the client's helpers, and neither the mock nor the kit imports it."""
    assert "httpx" not in _module_level_imports(ast.parse(REDACT.read_text("utf-8")))
    for part in ("mock", "contract"):
        for path in sorted((PACKAGE / part).rglob("*.py")):
            tree = ast.parse(path.read_text("utf-8"))
            assert not any(name.split(".")[0] == "httpx" for name in _imports_from(tree, path)), path


# --- every caller hides any token of any Green API path ---------------------------------------------------

_TOKENS = _spec.token_limits()
_LOW, _HIGH = _spec.id_instance_range()
#: A token the caller knows (its own): the one in the URL is always someone else's, so only the structural
#: mask can hide it. Digits, so that it never occurs inside a letters-only method name.
KNOWN = "0123456789abcdef" * 3 + "ab"
SPEC_METHODS = [path.split("/")[2] for path in (op.path for op in _spec.operations().values())]
COMING_METHODS = ["getOutgoingStatuses", "getIncomingStatuses", "sendTextStatus", "deleteStatus"]


@st.composite
def green_api_urls(draw: st.DrawFn) -> tuple[str, str, str]:
    """A URL with a token in a Green API path of any shape a client may send, the token, and the URL as it
    must be shown: every non-empty segment after the method masked, the rest unchanged."""
    token = draw(st.from_regex(_TOKENS.bounded_regex, fullmatch=True))
    method = draw(
        st.one_of(
            st.sampled_from(SPEC_METHODS + COMING_METHODS),
            st.from_regex(r"[a-z][A-Za-z]{0,40}", fullmatch=True),
        )
    )
    instance = draw(st.sampled_from(["waInstance", "wainstance", "WAINSTANCE"]))
    id_instance = draw(st.integers(_LOW, _HIGH))
    slashes = [draw(st.sampled_from(["/", "//", "///"])) for _ in range(3)]
    extra = draw(st.lists(st.from_regex(r"[A-Za-z0-9]{1,12}", fullmatch=True), max_size=2))
    query = draw(st.sampled_from(["", "?idMessage=BAE5F4886F6F2D05", "?minutes=1440", "#a-b"]))
    head = f"https://api.green-api.com{slashes[0]}{instance}{id_instance}{slashes[1]}{method}{slashes[2]}"
    url = head + "/".join([token, *extra]) + query
    shown = head + "/".join([MASK, *(MASK for _ in extra)]) + query
    return url, token, shown


def _filtered(log_filter: logging.Filter, fmt: str, *args: object) -> str:
    record = logging.LogRecord("greenstat", logging.INFO, __file__, 1, fmt, args, None)
    assert log_filter.filter(record)
    return record.getMessage()


@settings(max_examples=300, derandomize=True, deadline=None, database=None)
@given(case=green_api_urls())
def test_every_caller_hides_any_token_for_any_method(case: tuple[str, str, str]) -> None:
    url, _token, shown = case
    redactor = Redactor(KNOWN)
    access = '%s - "%s %s HTTP/%s" %d'
    path = url.removeprefix("https://api.green-api.com")
    shown_path = shown.removeprefix("https://api.green-api.com")
    views = {
        "client redact": (redact(url), shown),
        "client redact, own token": (redact(url, secrets=(KNOWN,)), shown),
        "client log filter": (
            _filtered(RedactingFilter(), "HTTP Request: GET %s", url),
            f"HTTP Request: GET {shown}",
        ),
        "mock mask_path": (mask_path(path), shown_path),
        "mock access log": (
            _filtered(TokenMaskingFilter([KNOWN]), access, "127.0.0.1:5", "GET", path, "1.1", 401),
            f'127.0.0.1:5 - "GET {shown_path} HTTP/1.1" 401',
        ),
        "kit report": (redactor(url), shown),
        "kit excerpt": (redactor.excerpt(url, 10_000), shown),
        "cli last-resort line": (_unexpected(RuntimeError(f"boom at {url}"), KNOWN), f"boom at {shown} - "),
    }
    for caller, (text, expected) in views.items():
        # The whole URL as it must be shown: the token segment (and any after it) masked, nothing else.
        assert expected in text, f"{caller} shows {text!r}, not {expected!r}"
        assert text.count("/waInstance") + text.lower().count("/wainstance") <= 2, text  # the URL once
    assert mask_url_paths(url) == shown
    assert redact_url(url) == httpx.URL(shown)  # what the client stores on exceptions
