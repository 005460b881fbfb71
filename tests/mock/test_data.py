from __future__ import annotations

import json
import os
import threading
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


def test_an_unknown_status_is_served_as_a_newer_api_would(tmp_path: Path) -> None:
    document = {"M1": [{"participant": "1@c.us", "timestamp": 1, "status": "played"}]}
    data = load_data(_write(tmp_path, document))
    assert data["M1"][0].status.value == "played"
    assert not data["M1"][0].status.is_known


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        ({"M1": [{"participant": "1@c.us", "timestamp": "x", "status": "read"}]},
         '"M1"[0]: Expected `int`, got `str` - at `$.timestamp`'),
        ({"M1": [{"participant": "1@c.us", "timestamp": 1, "status": "read"},
                 {"participant": "2@c.us", "timestamp": 1, "status": "p" * 65}]},
         "\"M1\"[1]: status 'pppppppppppppppppppppppppppppppppppppppp': a value other than pending"),
        ({"M1": [{"participant": "2@c.us", "timestamp": 1, "status": ""}]},
         "\"M1\"[0]: status '': a value other than pending, sent, delivered, read must be 1 to 64"),
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
def test_an_endless_device_is_refused_before_it_is_opened() -> None:
    with pytest.raises(DataFileError, match=r"/dev/zero: not a regular file"):
        load_data("/dev/zero")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_is_refused_at_once_instead_of_blocking_on_open(tmp_path: Path) -> None:
    fifo = tmp_path / "data.fifo"
    os.mkfifo(fifo)
    outcome: list[BaseException] = []

    def load() -> None:
        try:
            load_data(fifo)
        except DataFileError as exc:
            outcome.append(exc)

    thread = threading.Thread(target=load, daemon=True)
    thread.start()
    thread.join(timeout=15)  # the bug: open() of a FIFO with no writer blocks forever
    if thread.is_alive():  # unblock the open so the thread ends, then fail
        with open(fifo, "wb"):
            pass
        thread.join(timeout=5)
        pytest.fail("load_data blocked on a FIFO")
    assert len(outcome) == 1
    assert "not a regular file" in str(outcome[0])


def test_a_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match="not a regular file"):
        load_data(tmp_path)


def test_undecodable_bytes_are_a_one_line_error(tmp_path: Path) -> None:
    path = tmp_path / "latin1.json"
    path.write_bytes(b'{"M": [{"participant": "Jos\xe9@c.us", "timestamp": 1, "status": "read"}]}')

    with pytest.raises(DataFileError, match=r"latin1.json: not valid UTF-8 \(byte \d+: invalid") as info:
        load_data(path)
    assert info.value.__cause__ is None
    assert "\n" not in str(info.value)


def test_deep_nesting_inside_an_entry_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    extra = '{"x":' * 100_000 + "1" + "}" * 100_000
    path.write_text(f'{{"M": [{{"participant": "1@c.us", "timestamp": 1, "status": "read", "e": {extra}}}]}}')

    with pytest.raises(DataFileError, match="nested too deeply"):
        load_data(path)


@pytest.mark.parametrize("timestamp", [2**63, 2**64, 10**30])
def test_timestamps_above_int64_are_refused(tmp_path: Path, timestamp: int) -> None:
    path = tmp_path / "big.json"
    path.write_text(f'{{"M": [{{"participant": "1@c.us", "timestamp": {timestamp}, "status": "read"}}]}}')

    # The bound is the generated model's, from the spec's ``format: int64``.
    with pytest.raises(
        DataFileError, match=r'"M"\[0\]: Expected `int` <= 9223372036854775807 - at `\$.timestamp`'
    ):
        load_data(path)


def test_the_largest_int64_timestamp_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "max.json"
    path.write_text(f'{{"M": [{{"participant": "1@c.us", "timestamp": {2**63 - 1}, "status": "read"}}]}}')

    assert load_data(path)["M"][0].timestamp == 2**63 - 1


def test_the_default_cap_is_256_mib() -> None:
    assert _data.MAX_DATA_FILE_BYTES == 256 * 1024 * 1024
