from __future__ import annotations

import json
from pathlib import Path

import pytest

from greenstat_client.models import StatusValue
from greenstat_ext.mock import DataFileError, _data, load_data

GOOD = {"BAE5": [{"participant": "1@c.us", "timestamp": 1, "status": "read", "extra": True}], "EMPTY": []}


def _write(tmp_path: Path, document: object) -> Path:
    path = tmp_path / "data.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def test_valid_file_loads(tmp_path: Path) -> None:
    data = load_data(_write(tmp_path, GOOD))
    assert data["EMPTY"] == []
    assert data["BAE5"][0].status is StatusValue.READ


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        ({"M1": [{"participant": "1@c.us", "timestamp": "x", "status": "read"}]},
         '"M1"[0]: Expected `int`, got `str` - at `$.timestamp`'),
        ({"M1": [{"participant": "1@c.us", "timestamp": 1, "status": "read"},
                 {"participant": "2@c.us", "timestamp": 1, "status": "played"}]},
         "\"M1\"[1]: status 'played' is not one of pending, sent, delivered, read"),
        ({"M1": [{"participant": "1@c.us", "timestamp": 1, "status": "read"},
                 {"participant": "1@c.us", "timestamp": 2, "status": "read"}]},
         "\"M1\"[1]: participant '1@c.us' already listed at \"M1\"[0]"),
        ({"M1": [{"participant": "1@c.us", "status": "read"}]},
         '"M1"[0]: Object missing required field `timestamp`'),
        ({"M1": [{"participant": "", "timestamp": 1, "status": "read"}]},
         '"M1"[0]: Expected `str` of length >= 1 - at `$.participant`'),
        ({"M1": [{"participant": "1@c.us", "timestamp": -1, "status": "read"}]},
         '"M1"[0]: Expected `int` >= 0 - at `$.timestamp`'),
        ({"M1": ["x"]}, '"M1"[0]: expected an object, got str'),
        ({"M1": {}}, '"M1": expected an array of recipients, got dict'),
        ({"x" * 300: []}, "must be 1 to 256 characters"),
        ([], "expected a JSON object mapping idMessage to an array of recipients, got list"),
    ],
)  # fmt: skip
def test_bad_entry_is_named(tmp_path: Path, document: object, expected: str) -> None:
    path = _write(tmp_path, document)
    with pytest.raises(DataFileError) as info:
        load_data(path)
    assert str(info.value).startswith(f"{path}: ")
    assert expected in str(info.value)


def test_unreadable_and_invalid_json_files(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match="cannot read"):
        load_data(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text('{"a": [1,]}', encoding="utf-8")
    with pytest.raises(DataFileError, match="not valid JSON"):
        load_data(bad)


def test_deeply_nested_json_is_a_clear_error_not_a_recursion_traceback(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")

    with pytest.raises(DataFileError, match="nested too deeply"):
        load_data(path)


def test_a_file_over_the_cap_is_refused_before_it_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_data, "MAX_DATA_FILE_BYTES", 1024)
    path = _write(
        tmp_path, {"M": [{"participant": f"{n}@c.us", "timestamp": 1, "status": "read"} for n in range(50)]}
    )

    with pytest.raises(DataFileError, match=r"larger than 1024 bytes, the most a --data file may hold"):
        load_data(path)


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_an_endless_device_is_read_only_up_to_the_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_data, "MAX_DATA_FILE_BYTES", 2 * 1024 * 1024)

    with pytest.raises(DataFileError, match=r"/dev/zero: larger than 2 MiB"):
        load_data("/dev/zero")


def test_the_default_cap_is_256_mib() -> None:
    assert _data.MAX_DATA_FILE_BYTES == 256 * 1024 * 1024
