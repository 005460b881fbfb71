"""The one error the kit raises on purpose: the run cannot start because of how it was asked to run.

Why a separate type: a contract *failure* is a finding about the implementation (exit 1, a report); a usage
error is the caller's mistake (exit 2, one line). Keeping them apart lets the CLI map each to its exit code
without parsing messages.
"""

from __future__ import annotations

__all__ = ["ContractUsageError"]


class ContractUsageError(ValueError):
    """Bad arguments, missing credentials, or an unreachable URL. The message never contains the token."""
