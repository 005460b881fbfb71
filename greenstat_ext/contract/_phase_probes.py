"""The kit's explicit probes of one operation (:mod:`._probes` builds them from the spec): the credentials
checked first, the valid request, a wrong token, a wrong instance, HEAD, and an id nobody issued."""

from __future__ import annotations

import random

from greenstat_ext import _spec as spec

from ._checks import KIT_CHECKS
from ._core import _Core
from ._http import NOT_JSON, case_body, json_of
from ._probes import probes_for, unknown_id_query
from ._results import Inconclusive
from ._spec import Operation

__all__ = ["_ProbesPhase"]


class _ProbesPhase(_Core):
    def _credentials_accepted(self) -> bool:
        """The first valid request, before anything else: 401/403 there means every later finding would be
        derived from the rejected credentials, so the run says that, and only that, up front."""
        operation = self.operation
        probe = probes_for(operation, self.supplied, self.id_instance, self._token)[0]
        case = operation.api.Case(
            path_parameters=dict(probe.path_parameters), query=dict(probe.query), body=case_body(probe.body)
        )
        response = self._call_with_retries("credentials", None, case)
        if response is None or response.status_code not in (401, 403):
            if response is not None:
                self._count("credentials", response.status_code)
                self._judge(case, response, "credentials")  # its answer is evidence like any other
            return True
        self._count("credentials", response.status_code)
        meaning = (
            "the token" if response.status_code == 401 else "the instance (or its access to the methods)"
        )
        self.report.credentials_rejected = (
            f"the given credentials were rejected: {response.status_code} to the valid request of "
            f"{operation.name}, which says {meaning} is wrong"
        )
        self.report.inconclusive.append(
            Inconclusive(
                self.report.credentials_rejected,
                "pass valid credentials (--id-instance, --token) of the implementation under test; for 403 "
                "also check its access to the beta Statuses methods",
            )
        )
        return False

    def _probes(self, operation: Operation) -> None:
        for probe in probes_for(operation, self.supplied, self.id_instance, self._token):
            if probe.check not in self.kit_checks:
                continue
            if probe.check == "valid_request_accepted" and operation.name in self._stateful:
                continue  # its valid request needs an id a send answered: the lifecycle sends it
            if probe.check == "unsupported_method_rejected":
                self._method_request(probe.method, dict(probe.path_parameters), dict(probe.query), "probe")
                continue
            case = operation.api.Case(
                path_parameters=dict(probe.path_parameters),
                query=dict(probe.query),
                body=case_body(probe.body),
            )
            self._forget_created()
            if probe.check == "valid_request_accepted" and operation.is_write:
                self._probed.add(operation.name)
            self._exchange(
                "probe",
                case,
                kit_check=probe.check,
                expected=probe.expected,
                retry=not (operation.is_write and probe.check == "valid_request_accepted"),
                label=probe.label,
            )
            created = self._last_created()
            if probe.check == "valid_request_accepted" and created is not None:
                self._followed[operation.name] = created

    def _unknown_id(self, operation: Operation) -> None:
        """An id nobody issued gets 200 and ``[]`` (the spec: "An unknown ... idMessage gives []")."""
        check = "unknown_id_answers_empty"
        if (
            check not in self.kit_checks
            or operation.is_write
            or not spec.operation(operation.name).returns_array
        ):
            return
        # Drawn from the seed: the same run asks for the same id (a server cannot know it beforehand).
        draw = random.Random(f"{self.seed}:{operation.name}:unknown-id")  # noqa: S311 - not a secret
        fresh = "".join(draw.choice("0123456789ABCDEF") for _ in range(20))
        query = unknown_id_query(operation, self.supplied, fresh)
        if query is None:
            return
        case = operation.api.Case(path_parameters=self.credentials, query=query)
        label = "an idMessage nobody issued"
        response = self._call_with_retries("unknown-id", check, case)
        if response is None:
            self._unjudge(check)
            return
        self._count("unknown-id", response.status_code)
        self._judge(case, response, "unknown-id")
        if response.status_code == 429:
            self._unjudge(check)
            return
        self._ran(check)
        exchange = self._exchange_for_response("unknown-id", response)
        body = json_of(response)
        if response.status_code != 200 or body != []:
            shown = (
                "not JSON"
                if body is NOT_JSON
                else f"{len(body)} items"
                if isinstance(body, list)
                else "no list"
            )
            message = (
                f"{KIT_CHECKS[check]}\nProbe: {label}\nExpected: 200 []\n"
                f"Received: {response.status_code} ({shown})"
            )
            self._violate(
                check, f"{label}: expected [], got {response.status_code} ({shown})", message, exchange
            )
