"""The errors the kit raises on purpose: the run cannot start because of how it was asked to run, or it was
interrupted (Ctrl-C) and hands back what it judged.

Why a separate type: a contract *failure* is a finding about the implementation (exit 1, a report); a usage
error is the caller's mistake (exit 2, one line). Keeping them apart lets the CLI map each to its exit code
without parsing messages.
"""

from __future__ import annotations

from ._results import ContractReport  # at run time too: typing.get_type_hints resolves __init__'s annotation

__all__ = ["ContractInterrupted", "ContractUsageError"]


class ContractUsageError(ValueError):
    """Bad arguments, missing credentials, or an unreachable URL. The message never contains the token."""


class ContractInterrupted(KeyboardInterrupt):
    """Ctrl-C during a run: it stopped sending and deleted what it posted; ``report`` holds what was judged.

    A ``KeyboardInterrupt``, so a caller that does not catch it stops as on any Ctrl-C.
    """

    def __init__(self, report: ContractReport) -> None:
        super().__init__("the contract run was interrupted")
        self.report = report
