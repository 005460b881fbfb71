"""With ``--allow-writes``: the status each send posted, followed through the journal, its statistics and its
delete (``posted_status_lifecycle``); and, whatever happened, every status the run posted deleted at the end.

Writes are not idempotent: each is sent once (never re-sent on a 429 or an unclear answer), paced at its
operation's ``x-rate-limit``."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

import requests
from schemathesis import Response

from greenstat_ext import _spec as spec
from greenstat_ext._ratelimit import RateLimiter

from ._bounded import AnswerTooLarge, BoundedAdapter, Limits, RunTimeUp
from ._checks import KIT_CHECKS
from ._core import _Core
from ._defaults import EXCERPT, RATE_LIMIT_ATTEMPTS
from ._evidence import CLEANUP_PHASE
from ._http import case_body, items_with, json_of, retry_after
from ._probes import base_body, base_query
from ._spec import Operation
from ._writes import BY_API, Lifecycle, item_properties

__all__ = ["_WritesPhase"]


class _WritesPhase(_Core):
    def _lifecycle(self) -> None:
        """Follow the status each send's valid request posted: listed, counted, deleted, gone."""
        check = "posted_status_lifecycle"
        if check not in self.kit_checks:
            return
        current = self.operation
        for life in self.lifecycles:
            created = self._followed.get(life.creator.name)
            if created is None and self._stopped is None and life.creator.name not in self._probed:
                # Its valid request was not sent (valid_request_accepted not selected). One sent already
                # that got no id is not sent again: without an answer it may have posted (not idempotent).
                created = self._post(life)
            if created is None or self._stopped is not None:
                self.operation = life.creator
                self._unjudge(check)  # its valid request posted nothing to follow
                continue
            self._follow(life, created)
        self.operation = current

    def _post(self, life: Lifecycle) -> str | None:
        """Post one status with the send's valid body (once: not idempotent); its id, None if none came."""
        current, self.operation = self.operation, life.creator
        try:
            case = life.creator.api.Case(
                path_parameters=self.credentials, body=case_body(base_body(life.creator, {}))
            )
            self._forget_created()
            response = self._call_with_retries("writes", "posted_status_lifecycle", case, attempts=1)
            if response is None:
                return None
            self._count("writes", response.status_code)
            self._judge(case, response, "writes")
            return self._last_created()
        finally:
            self.operation = current

    def _follow(self, life: Lifecycle, created: str) -> None:
        sent = base_body(life.creator, {}) or {}
        audience = sent.get("participants")
        shown = f"the status {created} posted by {life.creator.name}"
        # 1. The journal lists it, once, as posted through the API.
        if life.journal is not None:
            listed = self._wait(
                life.journal,
                {},
                lambda body: bool(items_with(body, life.source, created)),
                f"{shown} missing from {life.journal.name}",
            )
            if listed is not None:
                items = items_with(listed[1], life.source, created)
                if len(items) != 1:
                    self._lifecycle_failure(
                        listed[0], f"{shown} listed {len(items)} times, not once", "Expected: listed once"
                    )
                elif BY_API in item_properties(life.journal) and items[0].get(BY_API) is not True:
                    self._lifecycle_failure(
                        listed[0],
                        f"{shown} listed with {BY_API}: {items[0].get(BY_API)!r}",
                        f"Expected: {BY_API}: true (it was posted through the API)",
                    )
        # 2. Its statistics answer its recipients (among those it was sent to: unknown numbers are skipped).
        if life.statistics is not None:
            reader, link = life.statistics
            query = {link.name: created}
            counted = self._wait(
                reader,
                query,
                lambda body: isinstance(body, list) and bool(body),
                f"{reader.name} of {shown} has no recipient",
            )
            if counted is not None:
                strangers = sorted(
                    {
                        str(item.get("participant"))
                        for item in counted[1]
                        if isinstance(item, Mapping)
                        and isinstance(audience, list)
                        and audience
                        and item.get("participant") not in audience
                    }
                )
                if strangers:
                    self._lifecycle_failure(
                        counted[0],
                        f"statistics of {shown} name recipients it was not sent to",
                        f"Sent to: {audience}\nReceived recipients: {strangers[:5]}",
                    )
        # 3. Its delete gets 200 with an empty body.
        deleter, link = life.delete
        first = self._delete(deleter, link, created)
        if first is None:
            return
        if first.status_code != 200 or first.content.strip():
            self._lifecycle_failure(
                first,
                f"delete of {shown}: {first.status_code}" + (" with a body" if first.content.strip() else ""),
                "Expected: 200 with an empty body",
                operation=deleter.name,
            )
            return
        # 4. Gone: no longer listed, statistics [], a second delete 400.
        if life.journal is not None:
            self._wait(
                life.journal,
                {},
                lambda body: not items_with(body, life.source, created),
                f"{shown} still listed by {life.journal.name} after its delete",
            )
        if life.statistics is not None:
            reader, query_link = life.statistics
            self._wait(
                reader,
                {query_link.name: created},
                lambda body: body == [],
                f"{reader.name} of {shown} not [] after its delete",
            )
        again = self._delete(deleter, link, created)
        if again is not None and again.status_code != 400:
            self._lifecycle_failure(
                again,
                f"second delete of {shown}: {again.status_code}",
                "Expected: 400 (ID message notfound: deleted already)",
                operation=deleter.name,
            )

    def _wait(
        self, operation: Operation, query: Mapping[str, Any], until: Callable[[Any], bool], broken: str
    ) -> tuple[Response, Any] | None:
        """Read ``operation`` every --poll-interval until its 200 body meets ``until``, for up to
        ``write_wait`` s; a failure of ``posted_status_lifecycle`` when it never does (None: nothing judged,
        or it failed)."""
        check = "posted_status_lifecycle"
        current, self.operation = self.operation, operation
        try:
            case_query = {**base_query(operation, {}), **query}
            deadline = time.monotonic() + self.write_wait
            last: Response | None = None
            while self._stopped is None:
                case = operation.api.Case(path_parameters=self.credentials, query=case_query)
                response = self._call_with_retries("writes", check, case)
                if response is not None:
                    self._count("writes", response.status_code)
                    self._judge(case, response, "writes")
                    if response.status_code == 200:
                        last = response
                        body = json_of(response)
                        if until(body):
                            self._ran(check)
                            return response, body
                if time.monotonic() + self.poll_interval > deadline:
                    break
                time.sleep(self.poll_interval)
            if last is None:
                self._unjudge(check)
                return None
            self._ran(check)
            excerpt = self.redact.excerpt(last.text, EXCERPT)
            self._lifecycle_failure(
                last, broken, f"Waited {self.write_wait:g} s (write_wait); last answer: {excerpt}"
            )
            return None
        finally:
            self.operation = current

    def _delete(self, deleter: Operation, link: Any, created: str) -> Response | None:
        """Send ``deleter`` once for ``created`` (a write: never re-sent); None when it got no answer."""
        current, self.operation = self.operation, deleter
        try:
            case = deleter.api.Case(path_parameters=self.credentials, body={link.name: created})
            response = self._call_with_retries("writes", "posted_status_lifecycle", case, attempts=1)
            if response is None:
                self._unjudge("posted_status_lifecycle")
                return None
            self._count("writes", response.status_code)
            self._judge(case, response, "writes")
            if response.status_code == 200:
                self._deleted.add(created)
                followed = self._followed.get(self._created.get(created, "")) == created
                if followed and "valid_request_accepted" in self.kit_checks:
                    self._ran("valid_request_accepted")  # the delete's valid request, with a real id
            if response.status_code == 429:
                self._unjudge("posted_status_lifecycle")
                return None
            self._ran("posted_status_lifecycle")
            return response
        finally:
            self.operation = current

    def _lifecycle_failure(
        self, response: Response, title: str, detail: str, *, operation: str | None = None
    ) -> None:
        check = "posted_status_lifecycle"
        current = self.operation
        if operation is not None:
            self.operation = next(op for op in self.operations if op.name == operation)
        try:
            exchange = self._exchange_for_response("writes", response)
            self._violate(check, title, f"{KIT_CHECKS[check]}\n{detail}", exchange)
        finally:
            self.operation = current

    def _cleanup(self) -> None:
        """Delete every status the run posted and has not deleted; list those it could not.

        Runs once, at the end or when the run is cut short (an error, the run timeout, a silent server):
        with its own time budget (one request timeout per request), since the run's may be spent. Each
        delete is sent once (not idempotent) through the delete's paced session, and again only after a 429
        (which proves it was not done), up to ``RATE_LIMIT_ATTEMPTS`` times.
        """
        if self._cleaned:
            return
        self._cleaned = True
        left = [created for created in self._created if created not in self._deleted]
        if not left or not self.lifecycles:
            return
        deleter, link = self.lifecycles[0].delete
        limits = Limits(self.limits.request_timeout, self.limits.max_bytes, self.limits.request_timeout)
        cleaning = requests.Session()
        rate = spec.operation(deleter.name).rate_limit.rate
        # The run's own limiter of the delete, when it has one: the first clean-up delete is then spaced
        # from the run's last delete (a fresh limiter sent it at once, into the server's full window).
        limiter = self.limiters.get(deleter.name) or RateLimiter(
            rate=min(rate, self.rate_limit or rate), burst=1
        )
        adapter = BoundedAdapter(limits, limiter=limiter)
        cleaning.mount("http://", adapter)
        cleaning.mount("https://", adapter)
        current, self.operation = self.operation, deleter
        with cleaning:
            for created in left:
                case = deleter.api.Case(path_parameters=self.credentials, body={link.name: created})
                response: Response | None = None
                for attempt in range(RATE_LIMIT_ATTEMPTS):
                    limits.start()  # each request its own timeout, whatever the run's budget
                    try:
                        answer = case.call(
                            base_url=self.base_url, session=cleaning, timeout=self.limits.request_timeout
                        )
                    except (requests.RequestException, RunTimeUp, AnswerTooLarge):
                        response = None
                        break
                    response = answer
                    self._count(CLEANUP_PHASE, answer.status_code)
                    if answer.status_code != 429 or attempt == RATE_LIMIT_ATTEMPTS - 1:
                        break
                    # A 429 says the delete was not done (the spec: only a 429, or a failure before the
                    # request was written, proves nothing was): sending it again after the wait cannot
                    # delete twice, and leaving the status behind would (the run's last deletes, just
                    # before, can fill the server's window).
                    time.sleep(retry_after(answer.headers))
                if response is not None and response.status_code == 200:
                    self._deleted.add(created)
                else:
                    self.report.undeleted.append(self.redact(created))
        self.operation = current
