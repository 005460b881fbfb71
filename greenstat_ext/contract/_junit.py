"""Write a :class:`ContractReport` as JUnit XML: one test case per check, one ``<failure>`` per broken check.

Why our own writer (with the standard library): schemathesis' JUnit writer is an internal of its CLI, fed by
its engine's events, which this kit does not run; JUnit's shape is small and stable, and writing it here keeps
the token scrubbing (already done in the report) the only source of what goes into the file. Every text and
attribute still passes through :func:`_xml_text`, which redacts (``greenstat_ext._redact.redact``) before it
strips what XML cannot carry: a second line of defence that does not depend on how a message was built.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from greenstat_ext._redact import redact

from ._results import ContractReport

__all__ = ["write_junit"]

# Characters XML 1.0 cannot carry even escaped; negative test data is full of them.
_NOT_XML = re.compile(r"[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml_text(text: str) -> str:
    return _NOT_XML.sub("\ufffd", redact(text))


def write_junit(report: ContractReport, path: Path | str) -> None:
    """Write ``report`` to ``path`` (UTF-8). A CI system shows each failing check with its first examples."""
    names = list(report.checks) + [name for name in report.check_failures if name not in report.checks]
    failed = [name for name in names if report.check_failures[name]]
    suites = ET.Element(
        "testsuites", name="greenstat contract-test", tests=str(len(names)), failures=str(len(failed))
    )
    suite = ET.SubElement(
        suites,
        "testsuite",
        name="greenstat contract-test",
        tests=str(len(names)),
        failures=str(len(failed)),
        errors="0",
        skipped="0",
    )
    properties = ET.SubElement(suite, "properties")
    ET.SubElement(properties, "property", name="url", value=_xml_text(report.url))
    ET.SubElement(properties, "property", name="seed", value=str(report.seed))
    ET.SubElement(properties, "property", name="requests", value=str(report.cases))
    ET.SubElement(properties, "property", name="not_sent", value=str(report.not_sent))
    for name in names:
        case = ET.SubElement(suite, "testcase", classname="greenstat.contract", name=_xml_text(name))
        if not report.check_failures[name]:
            continue
        violations = [v for v in report.violations if v.check == name]
        lines = []
        for violation in violations:
            exchange = violation.exchange
            sent = f"{exchange.method} {exchange.path}" + (f"?{exchange.query}" if exchange.query else "")
            lines += [
                f"{violation.title} (x{violation.occurrences})",
                f"  sent: {sent} [{exchange.phase}]",
                f"  received: {exchange.status_code} {exchange.content_type} {exchange.body_excerpt!r}",
                *(f"  {line}" for line in violation.message.strip().splitlines()),
                "",
            ]
        failure = ET.SubElement(
            case,
            "failure",
            message=_xml_text(violations[0].title if violations else "failed"),
            type=_xml_text(name),
        )
        failure.text = _xml_text("\n".join(lines))
    tree = ET.ElementTree(suites)
    ET.indent(tree)
    tree.write(Path(path), encoding="utf-8", xml_declaration=True)
