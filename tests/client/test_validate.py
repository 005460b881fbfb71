"""The argument rules ``_validate`` builds from a parameter's spec: each schema keyword it reads refuses what
breaks it and accepts its own bounds (spec parameters made up here, so every keyword is covered whether or not
today's spec uses it)."""

from __future__ import annotations

import re

import pytest

from greenstat_ext import InvalidRequestError
from greenstat_ext._spec import ParameterSpec
from greenstat_ext._validate import _rule


def _check(spec: ParameterSpec, value: object) -> None:
    _rule(spec, "arg").check("arg", value)


STRING = ParameterSpec("arg", "query", True, "string", min_length=2, max_length=4, pattern="^[a-z]+$")
INTEGER = ParameterSpec("arg", "query", True, "integer", format="int32", minimum=1)
NUMBER = ParameterSpec("arg", "query", True, "number", minimum=0.5, maximum=2)
BOOLEAN = ParameterSpec("arg", "query", True, "boolean")


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
    ],
)
def test_values_outside_the_spec_are_refused(spec: ParameterSpec, value: object, problem: str) -> None:
    with pytest.raises(InvalidRequestError, match=re.escape(problem)) as info:
        _check(spec, value)
    assert info.value.field == "arg"
