"""The field checks ``_fields`` builds from a parameter's spec (the client's argument checks and the mock's
400s both use them): each schema keyword it reads refuses what breaks it and accepts its own bounds (spec
parameters made up here, so every keyword is covered whether or not today's spec uses it)."""

from __future__ import annotations

import re

import pytest

from greenstat_ext._fields import FieldError, checker
from greenstat_ext._spec import ParameterSpec


def _check(spec: ParameterSpec, value: object) -> None:
    checker(spec)("arg", value)


STRING = ParameterSpec("arg", "query", True, "string", min_length=2, max_length=4, pattern="^[a-z]+$")
INTEGER = ParameterSpec("arg", "query", True, "integer", format="int32", minimum=1)
NUMBER = ParameterSpec("arg", "query", True, "number", minimum=0.5, maximum=2)
BOOLEAN = ParameterSpec("arg", "query", True, "boolean")
ENUM = ParameterSpec("arg", "body", False, "string", enum=("SERIF", "SANS_SERIF"))
ARRAY = ParameterSpec(
    "arg",
    "body",
    False,
    "array",
    min_items=1,
    max_items=2,
    items=ParameterSpec("arg[]", "body", True, "string", pattern="^[0-9]+$"),
)


@pytest.mark.parametrize(
    ("spec", "value"),
    [
        (STRING, "ab"),
        (STRING, "abcd"),
        (INTEGER, 1),
        (INTEGER, 2**31 - 1),
        (NUMBER, 0.5),
        (NUMBER, 2),
        (BOOLEAN, False),
        (ENUM, "SANS_SERIF"),
        (ARRAY, ["1"]),
        (ARRAY, ("1", "22")),
    ],
)
def test_values_within_the_spec_pass(spec: ParameterSpec, value: object) -> None:
    _check(spec, value)


@pytest.mark.parametrize(
    ("spec", "value", "problem"),
    [
        (STRING, "a", "at least 2 characters"),
        (STRING, "abcde", "at most 4 characters"),
        (STRING, "aB", "must match the pattern '^[a-z]+$'"),
        (STRING, "a\ud800", "lone surrogate"),
        (STRING, 12, "must be a string"),
        (INTEGER, 0, ">= 1"),
        (INTEGER, 2**31, f"<= {2**31 - 1}"),  # the int32 format's bound, not a minimum/maximum of its own
        (INTEGER, 1.0, "must be an integer"),
        (NUMBER, 0.4, ">= 0.5"),
        (NUMBER, float("nan"), "finite number"),
        (NUMBER, True, "finite number"),
        (BOOLEAN, 1, "must be a boolean"),
        (ENUM, "serif", "must be one of SANS_SERIF, SERIF"),
        (ARRAY, "12", "must be a list, got str"),
        (ARRAY, [], "at least 1 items"),
        (ARRAY, ["1", "2", "3"], "at most 2 items (got 3)"),
        (ARRAY, None, "got null"),
    ],
)
def test_values_outside_the_spec_are_refused(spec: ParameterSpec, value: object, problem: str) -> None:
    with pytest.raises(FieldError, match=re.escape(problem)) as info:
        _check(spec, value)
    assert info.value.field == "arg"


def test_an_array_names_the_item_that_breaks_the_spec() -> None:
    with pytest.raises(FieldError) as info:
        _check(ARRAY, ["1", "x"])
    assert (info.value.field, info.value.problem) == ("arg[1]", "must match the pattern '^[0-9]+$'")
