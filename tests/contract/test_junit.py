from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from greenstat_ext.contract import ContractReport, Exchange, Violation, write_junit


def test_control_characters_from_negative_data_still_give_valid_xml(tmp_path: Path) -> None:
    exchange = Exchange("negative", "GET", "/p", "idMessage=\x00\x0c\ud800", 400, "text/plain", "\x01")
    report = ContractReport(url="http://h", seed=1, checks=("not_a_server_error",))
    report.check_failures["not_a_server_error"] += 1
    report.violations.append(Violation("not_a_server_error", "Server error", "bad \x1b[31m", exchange))
    path = tmp_path / "j.xml"

    write_junit(report, path)

    root = ET.parse(path).getroot()  # noqa: S314 - our own file
    failure = root.find("testsuite/testcase/failure")
    assert failure is not None
    assert failure.get("type") == "not_a_server_error"
    assert "Server error" in (failure.text or "")
