"""The generated cases of one operation: schemathesis' coverage phase (each parameter at and beyond its
bounds, missing, of another type; each undeclared method) and its hypothesis phases (positive, negative,
wrong token, wrong instance, negative credentials).

Why generated before they are sent: the cases of a seed are the same whatever the other operations' threads
do (the verdict must not depend on the interleaving), and hypothesis runs in one thread only. Why coverage
first: against a rate-limited API each request costs a second, and the boundary cases find more defects per
request than random ones; ``max_examples`` bounds each random phase."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.generation.coverage import GenerationSession
from schemathesis.generation.meta import CoveragePhaseData, CoverageScenario

from ._checks import PHASE_CHECKS
from ._core import E200, E400, E401, E403, Case_, _Core
from ._spec import INSTANCE_PARAM, TOKEN_PARAM, Operation

__all__ = ["Planned", "_CasesPhase"]

# The kit checks the coverage phase serves (besides all of schemathesis' checks).
_COVERAGE_CHECKS: Final = frozenset(
    {
        "valid_request_accepted",
        "invalid_parameter_rejected",
        "unsupported_method_rejected",
        "wrong_token_rejected",
        "wrong_instance_rejected",
    }
)
# Coverage scenarios about a request body's media type: meaningless for an operation without a body.
_CONTENT_TYPE_SCENARIOS: Final = frozenset(
    {CoverageScenario.MALFORMED_CONTENT_TYPE, CoverageScenario.UNSUPPORTED_CONTENT_TYPE}
)


@dataclass(frozen=True, slots=True)
class Planned:
    """One generated case, ready to send: its phase, the case, the pin draw and what judges it."""

    phase: str
    case: Case_
    pin: bool
    handle: Callable[[str, Case_, bool], None]


class _CasesPhase(_Core):
    def _phases_needed(self) -> bool:
        """The generated phases serve schemathesis' checks and two kit checks; without them none runs."""
        return bool(self.st_checks) or bool(self.kit_checks & PHASE_CHECKS)

    def _generated_cases(self, operation: Operation) -> list[Planned]:
        """Every case of the hypothesis phases of ``operation``, generated now from the seed, not sent."""
        planned: list[Planned] = []
        if not self._phases_needed():
            return planned
        self.operation = operation
        api = operation.api
        creds = self.credentials
        positive, negative = GenerationMode.POSITIVE, GenerationMode.NEGATIVE
        self._generate(planned, "positive", api.as_strategy(positive, path_parameters=creds), self._positive)
        self._generate(planned, "negative", api.as_strategy(negative, path_parameters=creds), self._plain)
        only_instance = {INSTANCE_PARAM: self.id_instance}
        self._generate(
            planned,
            "wrong-token",
            api.as_strategy(positive, path_parameters=only_instance),
            self._wrong_token,
        )
        only_token = {TOKEN_PARAM: self._token}
        self._generate(
            planned,
            "wrong-instance",
            api.as_strategy(positive, path_parameters=only_token),
            self._wrong_instance,
        )
        self._generate(planned, "negative-credentials", api.as_strategy(negative), self._plain)
        return planned

    def _send_generated(self, planned: list[Planned]) -> None:
        """Send the generated cases in their order (what is left once the run stopped is counted unsent)."""
        for item in planned:
            if self._stopped is not None:
                self._not_sent(1)
                continue
            item.handle(item.phase, item.case, item.pin)

    def _generate(
        self, planned: list[Planned], phase: str, strategy: Any, handle: Callable[[str, Case_, bool], None]
    ) -> None:
        if self._stopped is not None:
            # Nothing more is sent: what this phase would have sent is counted, not generated (at most
            # max_examples; generating it only to count took seconds).
            self._not_sent(self.max_examples)
            return

        @hypothesis_seed(self.seed)
        @settings(
            max_examples=self.max_examples,
            database=None,
            deadline=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
            verbosity=Verbosity.quiet,
            report_multiple_bugs=False,
        )
        @given(case=strategy, pin=st.booleans())
        def run(case: Case_, pin: bool) -> None:
            planned.append(Planned(phase, case, pin, handle))

        try:
            run()
        except Unsatisfiable:
            # Nothing to generate: e.g. negative data for an operation whose only parameters are the pinned
            # credentials. Not a finding about the implementation; the report lists the phase as empty.
            with self._lock:
                self.report.empty_phases.append(f"{self.operation.name} {phase}")

    def _coverage_cases(self, operation: Operation) -> list[Case_]:
        """The coverage phase's cases of ``operation``, generated now (deterministic: no randomness)."""
        if not self.st_checks and not self.kit_checks & _COVERAGE_CHECKS:
            return []
        api = operation.api
        config = api.schema.config.generation_for(operation=api, phase="coverage")
        modes = [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]
        # A session of this run's own: schemathesis remembers per session which paths it already tried with
        # other methods (one probe per method and path); the schema's own memory would outlive this run.
        session = GenerationSession()
        return list(
            api.schema.iter_coverage_cases(
                api, generation_modes=modes, generation_config=config, session=session
            )
        )

    def _coverage(self, operation: Operation, cases: list[Case_]) -> None:
        """schemathesis' coverage phase: each parameter at and beyond its bounds, missing, of another type,
        and each method the spec does not declare; judged by the kit's expectations and schemathesis' checks.

        Why schemathesis' and not the kit's own: it derives these cases from every keyword of the schema
        (lengths, bounds, patterns, enums, formats, body fields) and keeps up with the spec; the kit only
        says what each case must get. Cases about the credentials get their expectation from which
        credential differs (another valid token: 401; another valid instance: 403; a malformed one: only
        schemathesis' checks, which allow each documented rejection).
        """
        for case in cases:
            if self._stopped is not None:
                self._not_sent(1)
                continue
            meta = case._meta
            data = meta.phase.data if meta is not None else None
            if not isinstance(data, CoveragePhaseData) or meta is None:
                continue
            positive = meta.generation.mode is GenerationMode.POSITIVE
            if data.scenario is CoverageScenario.UNSPECIFIED_HTTP_METHOD:
                if "unsupported_method_rejected" in self.kit_checks:
                    query = {key: value for key, value in (case.query or {}).items()}
                    self._method_request(case.method.upper(), dict(self.credentials), query, "coverage")
                continue
            if data.scenario in _CONTENT_TYPE_SCENARIOS:
                if operation.body:
                    # The JSON body under another media type: the spec declares no 415 and Green API does not
                    # document refusing it, so only schemathesis' checks judge the answer.
                    case.path_parameters = {**(case.path_parameters or {}), **self.credentials}
                    self._exchange("coverage", case, label=f"{data.description}")
                continue  # without a body, a media type says nothing
            label = f"{data.description}" + (f" ({data.parameter})" if data.parameter else "")
            if data.parameter in (INSTANCE_PARAM, TOKEN_PARAM):
                params = case.path_parameters or {}
                same_instance = str(params.get(INSTANCE_PARAM)) == str(self.id_instance)
                same_token = params.get(TOKEN_PARAM) == self._token
                if positive and same_instance and not same_token:
                    self._exchange(
                        "coverage", case, kit_check="wrong_token_rejected", expected=E401, label=label
                    )
                elif positive and same_token and not same_instance:
                    self._exchange(
                        "coverage", case, kit_check="wrong_instance_rejected", expected=E403, label=label
                    )
                else:
                    self._exchange("coverage", case, label=label)
                continue
            case.path_parameters = {**(case.path_parameters or {}), **self.credentials}
            if positive and operation.name in self._stateful:
                # An id the kit made up: the documented 400 (ID message notfound) is right too; only an id a
                # send answered gets its 200 (posted_status_lifecycle sends it).
                self._exchange(
                    "coverage",
                    case,
                    kit_check="valid_request_accepted",
                    expected=E200 | E400,
                    label=label,
                )
            elif operation.is_write and positive:
                # A write that succeeds posts a status: sent once, never re-sent on a 429.
                self._exchange(
                    "coverage", case, kit_check="valid_request_accepted", expected=E200, label=label
                )
            elif positive:
                self._exchange(
                    "coverage",
                    case,
                    kit_check="valid_request_accepted",
                    expected=E200,
                    retry=True,
                    label=label,
                )
            else:
                self._exchange(
                    "coverage",
                    case,
                    kit_check="invalid_parameter_rejected",
                    expected=E400,
                    retry=True,
                    label=label,
                )

    def _positive(self, phase: str, case: Case_, pin: bool) -> None:
        pinned = {
            param.name: self.supplied[param.name]
            for param in self.operation.query
            if param.name in self.supplied
        }
        if pin and pinned:
            case.query = {**(case.query or {}), **pinned}
        self._exchange(phase, case)

    def _plain(self, phase: str, case: Case_, pin: bool) -> None:
        self._exchange(phase, case)

    def _wrong_token(self, phase: str, case: Case_, pin: bool) -> None:
        if case.path_parameters and case.path_parameters.get(TOKEN_PARAM) != self._token:
            self._exchange(phase, case, kit_check="wrong_token_rejected", expected=frozenset({401}))

    def _wrong_instance(self, phase: str, case: Case_, pin: bool) -> None:
        if case.path_parameters and case.path_parameters.get(INSTANCE_PARAM) != self.id_instance:
            self._exchange(phase, case, kit_check="wrong_instance_rejected", expected=frozenset({403}))
