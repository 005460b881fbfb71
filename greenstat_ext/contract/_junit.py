"""Write a :class:`ContractReport` as JUnit XML: a test case per operation and check, a failure per break.

A test case whose check judged nothing on its operation is ``<skipped>`` (with the INCONCLUSIVE reason when
there is one), never a silent pass; the suite's ``verdict`` property is PASSED, FAILED or INCONCLUSIVE.

Per operation: each test case is named by its check (the names stay what ``--checks`` takes), its
``classname`` is ``greenstat.contract.<operationId>`` and it carries an ``operation`` property, so a CI system
groups the results by operation and a failure says which one broke. A finding about the whole run
(``run_completed``) has the classname ``greenstat.contract`` and no operation.

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
    cases = _cases(report)
    failed = [case for case in cases if _failures(report, *case)]
    suites = ET.Element(
        "testsuites", name="greenstat contract-test", tests=str(len(cases)), failures=str(len(failed))
    )
    suite = ET.SubElement(
        suites,
        "testsuite",
        name="greenstat contract-test",
        tests=str(len(cases)),
        failures=str(len(failed)),
        errors="0",
        skipped="0",
    )
    properties = ET.SubElement(suite, "properties")
    ET.SubElement(properties, "property", name="url", value=_xml_text(report.url))
    ET.SubElement(properties, "property", name="seed", value=str(report.seed))
    ET.SubElement(properties, "property", name="requests", value=str(report.cases))
    ET.SubElement(properties, "property", name="not_sent", value=str(report.not_sent))
    ET.SubElement(properties, "property", name="operations", value=_xml_text(",".join(report.operations)))
    ET.SubElement(properties, "property", name="verdict", value=report.verdict.name)
    unjudged = {name: item for item in report.inconclusive for name in item.checks}
    general = [item for item in report.inconclusive if not item.checks]
    if general:
        # Too little evidence for the whole run (rejected credentials, mostly 429s): one skipped case says so.
        evidence = ET.SubElement(suite, "testcase", classname="greenstat.contract", name="evidence")
        skipped = ET.SubElement(evidence, "skipped", message=_xml_text(general[0].reason))
        skipped.text = _xml_text(
            "\n".join(f"INCONCLUSIVE: {item.reason}. Fix: {item.fix}." for item in general)
        )
        suite.set("tests", str(len(cases) + 1))
        suites.set("tests", str(len(cases) + 1))
    for operation, name in cases:
        classname = "greenstat.contract" + (f".{operation}" if operation else "")
        case = ET.SubElement(suite, "testcase", classname=_xml_text(classname), name=_xml_text(name))
        if operation:
            case_properties = ET.SubElement(case, "properties")
            ET.SubElement(case_properties, "property", name="operation", value=_xml_text(operation))
        if not _failures(report, operation, name):
            if report.operations and not report.check_runs_by_operation[(operation, name)]:
                # Nothing judged it here: a pass would claim what was never checked.
                item = unjudged.get(name)
                reason = (
                    f"INCONCLUSIVE: {item.reason}. Fix: {item.fix}."
                    if item is not None
                    else "not judged on this operation (it does not apply, or the run stopped before it)"
                )
                ET.SubElement(case, "skipped", message=_xml_text(reason))
            continue
        violations = [v for v in report.violations if v.check == name and v.operation == operation]
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
    suite.set(
        "skipped", str(sum(1 for case in suite.findall("testcase") if case.find("skipped") is not None))
    )
    tree = ET.ElementTree(suites)
    ET.indent(tree)
    tree.write(Path(path), encoding="utf-8", xml_declaration=True)


def _cases(report: ContractReport) -> list[tuple[str, str]]:
    """(operation, check) pairs: every selected check of every operation, then each failure outside them."""
    cases = [(operation, name) for operation in report.operations for name in report.checks]
    seen = set(cases)
    for operation, name in report.check_failures_by_operation:
        if (operation, name) not in seen and report.check_failures_by_operation[(operation, name)]:
            cases.append((operation, name))
            seen.add((operation, name))
    if not report.operations:  # a report built by hand, without operations: one case per check
        cases += [("", name) for name in (*report.checks, *report.check_failures) if ("", name) not in seen]
    return list(dict.fromkeys(cases))


def _failures(report: ContractReport, operation: str, check: str) -> int:
    if not report.operations:  # a report built by hand, without operations: the totals
        return report.check_failures[check]
    return report.check_failures_by_operation[(operation, check)]
