"""Render a :class:`ContractReport` as text for a person: what was sent, what came back, which rule broke.

Per operation: a table of the spec's operations (requests sent, checks failed), and every failure panel
names the operation that broke the rule; the checks table keeps one row per check (totals over all of them).

Why rich: aligned tables and colour that degrade to plain text when piped (rich detects a non-terminal). All
strings are built as ``Text`` objects, never markup, so a body like ``[1, 2]`` is shown as sent, not parsed.
Every string from the report goes through :func:`_safe` (``greenstat_ext._redact.redact``: the URL pattern and
every token a run registered) on its way out, although the runner already redacted it: a second line of
defence that does not depend on how a message was built.
"""

from __future__ import annotations

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from greenstat_ext._redact import redact as _safe

from ._results import ContractReport, Verdict, Violation

__all__ = ["render_report"]


def render_report(report: ContractReport, console: Console | None = None) -> None:
    """Print ``report`` to ``console`` (stdout by default)."""
    console = console or Console()
    console.print(
        Text.assemble(("greenstat contract-test ", "bold"), _safe(report.url), f"  (seed {report.seed})")
    )
    if report.credentials_rejected is not None:
        # First and alone: every other finding would only be derived from the rejection.
        console.print(_verdict_line(report))
        return
    if report.skipped_operations:
        console.print(
            Text(_safe("Not checked (writes, they post real statuses; --allow-writes checks them): "))
            + Text(_safe(", ".join(report.skipped_operations)))
        )
    if report.uncleanable_operations:
        console.print(
            Text(_safe("Never sent (what they create, no operation of the spec deletes): "))
            + Text(_safe(", ".join(report.uncleanable_operations)))
        )
    if report.posted:
        posted = f"Statuses posted: {report.posted} (the run deletes each one it posted at its end)."
        console.print(Text(_safe(posted)))
    if report.undeleted:
        # Real statuses left on the instance: the person running the kit must know which, to delete them.
        console.print(
            Text(_safe("NOT DELETED (delete them by hand): " + ", ".join(report.undeleted)), style="bold red")
        )
    phases = ", ".join(f"{name} {count}" for name, count in report.phases.items())
    not_sent = f"; not sent: {report.not_sent}" if report.not_sent else ""
    console.print(Text(_safe(f"Requests: {report.cases} ({phases}){not_sent}")))
    if report.empty_phases:
        console.print(Text(_safe("Nothing to generate for: " + ", ".join(report.empty_phases))))
    statuses = ", ".join(f"{code}x{count}" for code, count in sorted(report.statuses.items())) or "none"
    console.print(Text(f"Status codes: {statuses}"))

    table = Table(title="Checks", title_justify="left")
    table.add_column("check")
    table.add_column("runs", justify="right")
    table.add_column("failures", justify="right")
    table.add_column("result")
    names = list(report.checks) + [name for name in report.check_failures if name not in report.checks]
    for name in names:
        failures = report.check_failures[name]
        if failures:
            verdict = Text("FAIL", style="bold red")
        elif report.check_runs[name] <= 0:
            verdict = Text("not judged", style="yellow")  # nothing was checked: not a pass
        else:
            verdict = Text("pass", style="green")
        table.add_row(Text(_safe(name)), str(report.check_runs[name]), str(failures), verdict)
    console.print(table)
    console.print(_operations_table(report))

    for number, violation in enumerate(report.violations, start=1):
        # On a terminal a panel spans the window; in a CI log it fits its text (no wrap at 80 columns).
        console.print(_violation_panel(number, violation, expand=console.is_terminal, width=console.width))

    console.print(_verdict_line(report))


def _verdict_line(report: ContractReport) -> Group:
    """The verdict, then each reason for too little evidence in one line with its fix."""
    verdict = report.verdict
    lines: list[Text] = []
    if verdict is Verdict.PASSED:
        lines.append(Text(f"PASSED: {len(report.checks)} checks, no failure.", style="bold green"))
    elif verdict is Verdict.FAILED:
        failed = ", ".join(report.failed_checks) or ", ".join(sorted({v.check for v in report.violations}))
        lines.append(
            Text(
                f"FAILED: {len(report.violations)} distinct failures in: {_safe(failed)}. "
                f"Rerun with --seed {report.seed}.",
                style="bold red",
            )
        )
    else:
        lines.append(Text("INCONCLUSIVE: too little evidence to pass.", style="bold yellow"))
    for item in report.inconclusive:
        lines.append(Text(_safe(f"  INCONCLUSIVE: {item.reason}. Fix: {item.fix}."), style="yellow"))
    return Group(*lines)


def _operations_table(report: ContractReport) -> Table:
    table = Table(title="Operations", title_justify="left")
    table.add_column("operation")
    table.add_column("requests", justify="right")
    table.add_column("200s", justify="right")
    table.add_column("seconds", justify="right")  # its share of the run (the operations run at once)
    table.add_column("result")
    for name in report.operations:
        failed = report.failed_checks_of(name)
        verdict = (
            Text("FAIL: " + ", ".join(failed), style="bold red") if failed else Text("pass", style="green")
        )
        ok = str(report.statuses_by_operation[(name, 200)])
        seconds = report.seconds_by_operation.get(name)
        took = "-" if seconds is None else f"{seconds:.1f}"
        table.add_row(Text(_safe(name)), str(report.cases_by_operation[name]), ok, took, verdict)
    return table


def _violation_panel(number: int, violation: Violation, *, expand: bool = True, width: int = 80) -> Panel:
    exchange = violation.exchange
    sent = f"{exchange.method} {exchange.path}" + (f"?{exchange.query}" if exchange.query else "")
    if exchange.status_code is None:
        received = "no response"
    else:
        received = f"{exchange.status_code} {exchange.content_type or '(no Content-Type)'}"
        received += f"  body: {exchange.body_excerpt!r}" if exchange.body_excerpt else "  (empty body)"
    times = f" (x{violation.occurrences})" if violation.occurrences > 1 else ""
    # The operation in the body, not the title: rich cuts a title at the panel's width. So does a long
    # finding's title (a CI log is 110 columns): then the panel is titled by the check and the finding
    # opens the body, wrapped, whole.
    operation = violation.operation or "(the whole run)"
    title_text = _safe(f"{number}. {violation.check}: {violation.title}{times}")
    lines: list[Text] = []
    if len(title_text) > width - 6:
        title_text = _safe(f"{number}. {violation.check}{times}")
        lines.append(Text.assemble(("finding:  ", "bold"), _safe(violation.title)))
    body = Group(
        *lines,
        Text.assemble(("operation:", "bold"), " ", _safe(operation)),
        Text.assemble(("sent:     ", "bold"), _safe(sent), f"   [{_safe(exchange.phase)}]"),
        Text.assemble(("received: ", "bold"), _safe(received)),
        Text.assemble(("rule:     ", "bold"), _safe(violation.message.strip())),
    )
    title = Text(title_text, style="bold red")
    return Panel(body, title=title, title_align="left", border_style="red", expand=expand)
