"""Every annotation of the public API resolves at run time (issue 18).

Why: pydantic, beartype, typeguard, FastAPI and sphinx autodoc read annotations with
``typing.get_type_hints``; one name that is annotated but not imported (the facade's ``StatusFont`` was)
raises ``NameError`` there, and a type checker silently sees ``Any``. This walks every public module of
``greenstat_ext`` and of the generated ``greenstat_client``, and resolves the hints of every public class
(its attributes, ``__init__`` and public methods) and function.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import typing
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any

import pytest

import greenstat_client
import greenstat_ext
from greenstat_client.api import SyncMethods
from greenstat_client.models import StatusFont
from greenstat_ext import _spec


def _public_modules(package: ModuleType) -> Iterator[ModuleType]:
    yield package
    for info in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
        if not any(part.startswith("_") for part in info.name.split(".")):
            yield importlib.import_module(info.name)


def _public_names(module: ModuleType) -> list[str]:
    names = getattr(module, "__all__", None)
    if names is not None:
        return list(names)
    return [
        name
        for name, value in vars(module).items()
        if not name.startswith("_") and getattr(value, "__module__", None) == module.__name__
    ]


def _callables() -> Iterator[tuple[str, Callable[..., Any] | type]]:
    seen: set[int] = set()
    for package in (greenstat_ext, greenstat_client):
        for module in _public_modules(package):
            for name in _public_names(module):
                value = getattr(module, name)
                if not callable(value) or id(value) in seen or not _ours(value):
                    continue
                seen.add(id(value))
                yield f"{module.__name__}.{name}", value
                if inspect.isclass(value):
                    for attribute, member in vars(value).items():
                        function = getattr(member, "__func__", member)  # classmethod, staticmethod
                        if isinstance(member, property):
                            function = member.fget
                        if inspect.isfunction(function) and (
                            not attribute.startswith("_") or attribute == "__init__"
                        ):
                            yield f"{module.__name__}.{name}.{attribute}", function


def _ours(value: object) -> bool:
    return str(getattr(value, "__module__", "")).partition(".")[0] in {"greenstat_ext", "greenstat_client"}


CALLABLES = dict(_callables())


def test_the_walk_sees_the_whole_public_api() -> None:
    # the clients, their generated methods, the models and the endpoint functions, the mock and the kit
    for name in (
        "greenstat_ext.GreenStat",
        "greenstat_client.api.SyncMethods.send_text_status",
        "greenstat_client.api.AsyncRawMethods.get_status_statistic",
        "greenstat_client.api.statuses.send_text_status.sync_detailed",
        "greenstat_client.models.SendTextStatusRequest",  # a msgspec model: its fields
        "greenstat_ext.cli.main",
        "greenstat_ext.mock.MockServer.__init__",
        "greenstat_ext.contract.run_contract_test",
    ):
        assert name in CALLABLES
    assert len(CALLABLES) > 250


@pytest.mark.parametrize("name", sorted(CALLABLES))
def test_every_public_annotation_resolves(name: str) -> None:
    hints = typing.get_type_hints(CALLABLES[name])
    assert isinstance(hints, dict)


def test_an_enum_parameter_is_its_enum_or_a_literal_of_the_spec_values() -> None:
    hints = typing.get_type_hints(SyncMethods.send_text_status)
    literal = next(arg for arg in typing.get_args(hints["font"]) if typing.get_origin(arg) is typing.Literal)
    assert set(typing.get_args(hints["font"])) == {StatusFont, literal, type(None)}
    assert list(typing.get_args(literal)) == list(_spec.parameter("sendTextStatus", "font").enum or ())
