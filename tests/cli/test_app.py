from __future__ import annotations

from importlib.metadata import version

from typer.testing import CliRunner

from greenstat_ext.cli import app


def test_version() -> None:
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"greenstat {version('greenstat')}"


def test_every_command_is_listed_in_help() -> None:
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("stats", "report", "post", "delete", "mock", "contract-test"):
        assert command in result.output
