"""Practice mode, without any UI: prepare the simulated account, follow the learner's progress,
apply guidance-only fixes to the practice app's variables, and produce the onboarding record.

The wizard gets a :class:`PracticeInfo` (``make_app(practice=...)``) and calls:

* :meth:`PracticeInfo.prepare` in a thread worker (it is ``make_app``'s ``prepare``): it waits
  for the account that :meth:`PracticeInfo.begin` started in the background, points this
  process's AWS endpoint at it, and returns the app's settings and the operator;
* :meth:`PracticeInfo.note_report` after every diagnosis: True once, when the scenario's
  intent is first met (healthy, and a rotated key retired) — the moment to show the summary
  (:meth:`PracticeInfo.record`);
* :meth:`PracticeInfo.note_fix` after an AWS fix was applied, and
  :meth:`PracticeInfo.apply_guidance` for a guidance-only fix (it changes the practice app's
  variables the way the guidance says, as the learner would in Railway);
* :meth:`PracticeInfo.use_new_key` when a rotated key is to be "put into Railway";
* :meth:`PracticeInfo.close` when the app exits: the account disappears; then
  :meth:`PracticeInfo.leaving_summary` gives the one line ``sesfix demo`` prints.

Nothing here imports Textual.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from sesfix.demo.account import Scenario, SimulatedAccount, describe, resolve_scenario
from sesfix.demo.record import OnboardingRecord, now
from sesfix.errors import UsageError
from sesfix.fixes.catalogue import GUIDANCE_FIXES as _GUIDANCE_FIXES
from sesfix.locations import enter_practice

if TYPE_CHECKING:
    from sesfix.aws.identity import OperatorSpec
    from sesfix.diagnosis.report import Report
    from sesfix.fixes.model import Plan
    from sesfix.masking import Secret
    from sesfix.settings import AppSettings

#: Guidance-only fixes; practice applies the ones whose plan carries variable changes.
GUIDANCE_FIXES = _GUIDANCE_FIXES

_LOOPBACK = "127.0.0.1"


def moto_available() -> bool:
    """moto and its server's web stack are installed (checked without importing them)."""
    import importlib.util

    try:
        return all(importlib.util.find_spec(m) is not None for m in ("moto", "flask", "werkzeug"))
    except (ImportError, ValueError):
        return False


def require_moto() -> None:
    """Exit 2 with the install command when the ``demo`` extra is missing."""
    if not moto_available():
        raise UsageError(
            "practice mode needs the demo extra (moto), which is not installed",
            hint="install it with: pip install 'sesfix[demo]'  (from a checkout: "
            "pip install -e '.[demo]')",
        )


def point_environment(
    endpoint: str,
    environ: dict[str, str] | None = None,
    *,
    dns_server: str | None = None,
    recipient: str | None = None,
) -> Callable[[], None]:
    """Make every boto3 client of this process talk to ``endpoint`` and nothing else.

    Sets ``AWS_ENDPOINT_URL``; removes what would override it (``AWS_ENDPOINT_URL_<SERVICE>``,
    ``AWS_IGNORE_CONFIGURED_ENDPOINT_URLS``); keeps loopback off any HTTP proxy; with
    ``dns_server``, points the DNS checks at the practice DNS (``SESFIX_DNS_SERVER``); with
    ``recipient``, names the scenario's test inbox as the recipient to check (``SESFIX_TO``).
    Returns a function that restores the previous values.
    """
    env: dict[str, str] = os.environ if environ is None else environ  # type: ignore[assignment]
    names = [
        n
        for n in env
        if n.startswith("AWS_ENDPOINT_URL_") or n == "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"
    ]
    saved: dict[str, str | None] = {n: env.get(n) for n in names}
    for n in ("AWS_ENDPOINT_URL", "NO_PROXY", "no_proxy", "SESFIX_DNS_SERVER", "SESFIX_TO"):
        saved[n] = env.get(n)
    for n in names:
        env.pop(n, None)
    env["AWS_ENDPOINT_URL"] = endpoint
    if dns_server:
        env["SESFIX_DNS_SERVER"] = dns_server
    if recipient:
        env["SESFIX_TO"] = recipient
    for n in ("NO_PROXY", "no_proxy"):
        current = env.get(n, "")
        if _LOOPBACK not in current.split(","):
            env[n] = ",".join(x for x in (current, _LOOPBACK) if x)

    def restore() -> None:
        for n, value in saved.items():
            if value is None:
                env.pop(n, None)
            else:
                env[n] = value

    return restore


def _both(first: Callable[[], None], second: Callable[[], None]) -> Callable[[], None]:
    def undo() -> None:
        second()
        first()

    return undo


@dataclass
class PracticeInfo:
    """One practice run: its scenario, its account, and what the learner did."""

    #: Kept out of repr: a random scenario must not be named by a log line or a traceback.
    spec: Scenario = field(repr=False)
    #: False for ``random``: the wizard must not say which scenario it is until the end.
    named: bool = True
    account: SimulatedAccount | None = field(default=None, repr=False)
    started_at: datetime = field(default_factory=now)
    finished_at: datetime | None = None
    broken_findings: list[str] = field(default_factory=list)
    fixes_applied: list[str] = field(default_factory=list)
    #: Seconds :meth:`prepare` took from :meth:`begin` (start + load), for the curious.
    prepare_seconds: float | None = None
    #: The app's key when the practice started (a rotation must retire it).
    original_key_id: str = field(default="", repr=False)
    #: From the latest diagnosis: warning ids, error ids, and why it is not complete yet.
    open_warnings: list[str] = field(default_factory=list)
    still_open: list[str] = field(default_factory=list)
    gaps: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._seen_report = False
        self._future: Future[SimulatedAccount] | None = None
        self._begun_at: float | None = None
        self._restore: Callable[[], None] | None = None
        self._closed = False

    @classmethod
    def for_scenario(cls, name: str | None) -> PracticeInfo:
        """``name`` as on the command line: a scenario, ``random`` or None (seed)."""
        return cls(resolve_scenario(name), named=name != "random")

    # -- what the wizard shows -------------------------------------------------------------

    @property
    def scenario(self) -> str:
        """The scenario's name as the wizard may show it (``random`` until the end)."""
        return self.spec.name if self.named else "random"

    @property
    def description(self) -> str:
        """One line for the wizard's header; says nothing of a random scenario's fault."""
        if self.named:
            return describe(self.spec)
        from sesfix.locale import t

        return t("practice.random_description")

    @property
    def ready(self) -> bool:
        return self.account is not None and self.account.scenario is not None

    @property
    def complete(self) -> bool:
        return self.finished_at is not None

    # -- the account's life ---------------------------------------------------------------

    def begin(self) -> PracticeInfo:
        """Start the server and build the scenario in a background thread, now.

        Call it before importing Textual: the account gets ready while the UI loads.
        """
        import time

        with self._lock:
            if self._future is not None:
                return self
            self._begun_at = time.perf_counter()
            future: Future[SimulatedAccount] = Future()
            self._future = future

        def build() -> None:
            account: SimulatedAccount | None = field(default=None, repr=False)
            try:
                account = SimulatedAccount.start(fill_gaps=True)
                if not self.named:
                    account.label = "practice account"
                account.load(self.spec)
            except BaseException as exc:  # noqa: BLE001 - handed to prepare(), which raises it
                if account is not None:
                    account.stop()
                future.set_exception(exc)
            else:
                future.set_result(account)

        threading.Thread(target=build, name="sesfix-practice-account", daemon=True).start()
        return self

    def prepare(self) -> tuple[AppSettings, OperatorSpec | None]:
        """Wait for the account, point this process at it; the app's settings and operator.

        Blocking: run it in a thread worker. Raises what building the account raised.
        """
        import time

        self.begin()
        assert self._future is not None
        account = self._future.result(timeout=60)
        with self._lock:
            if self._closed:
                raise UsageError("the practice account was closed before it was ready")
            if self._restore is None:  # first call: the practice starts now
                from sesfix.demo import smtp

                self._restore = _both(
                    _both(
                        smtp.point(account.smtp_environ()),
                        point_environment(
                            account.endpoint,
                            dns_server=account.dns_server,
                            recipient=account.scenario.recipient if account.scenario else None,
                        ),
                    ),
                    enter_practice(self.spec.name if self.named else "random"),
                )
                self.account = account
                self.original_key_id = account.app_key_id
                if self._begun_at is not None:
                    self.prepare_seconds = time.perf_counter() - self._begun_at
                self.started_at = now()
        return account.app_settings(), account.operator

    def close(self) -> None:
        """Stop the account (even if still being built) and restore the environment."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            restore, self._restore = self._restore, None
            future = self._future
        if restore is not None:
            restore()
        if future is not None:
            try:
                account = future.result(timeout=60)
            except BaseException:  # noqa: BLE001 - it failed to start: nothing to stop
                return
            account.stop()

    def __enter__(self) -> PracticeInfo:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the learner's progress -----------------------------------------------------------

    def note_report(self, report: Report) -> bool:
        """Record a diagnosis; True exactly once, when the scenario's intent is first met.

        Healthy is not always enough: after a rotation the old key must be retired too
        (:func:`sesfix.demo.progress.intent_gaps`). Only AWS's answers in ``report`` count.
        """
        from sesfix.demo.progress import intent_gaps, warning_ids

        with self._lock:
            if not self._seen_report:
                self._seen_report = True
                self.broken_findings = list(dict.fromkeys(f.id for f in report.errors))
            current = self.account.app_key_id if self.account is not None else ""
            self.gaps = intent_gaps(report, self.original_key_id, current)
            self.open_warnings = warning_ids(report)
            self.still_open = list(dict.fromkeys(f.id for f in report.errors))
            if not self.gaps and self.finished_at is None:
                self.finished_at = now()
                return True
            return False

    def note_fix(self, fix_id: str) -> None:
        with self._lock:
            self.fixes_applied.append(fix_id)

    def record(self) -> OnboardingRecord:
        with self._lock:
            return OnboardingRecord(
                scenario=self.spec.name,
                description=describe(self.spec),
                started_at=self.started_at,
                finished_at=self.finished_at or now(),
                broken_findings=list(self.broken_findings),
                fixes_applied=list(self.fixes_applied),
                healthy=self.finished_at is not None,
                open_warnings=list(self.open_warnings),
                still_open=list(self.still_open),
                gaps=list(self.gaps),
            )

    def leaving_summary(self, *, save: bool = True) -> str:
        """One line for the terminal when the learner leaves; the record is saved first
        (under the user's data directory) once the learner has seen a diagnosis."""
        from sesfix.demo.progress import leaving_summary

        record = self.record()
        written: str | None = None
        if save and self._seen_report:
            try:
                written = str(record.write())
            except UsageError as exc:
                written = exc.message
        return leaving_summary(record, written)

    # -- the app's variables --------------------------------------------------------------

    def _account(self) -> SimulatedAccount:
        if self.account is None:
            raise UsageError("the practice account is not ready yet")
        return self.account

    def app_settings(self) -> AppSettings:
        settings: AppSettings = self._account().app_settings()
        return settings

    def set_app_variable(self, name: str, value: str | None) -> AppSettings:
        settings: AppSettings = self._account().set_app_variable(name, value)
        return settings

    def use_new_key(self, access_key_id: str, secret: Secret) -> AppSettings:
        """Put a new key pair into the practice app's variables (after rotate-access-key)."""
        from sesfix.settings import KEY_ID, SECRET

        account = self._account()
        account.set_app_variable(KEY_ID, access_key_id)
        settings: AppSettings = account.set_app_variable(SECRET, secret.reveal())
        account.app_key_id = access_key_id
        return settings

    def apply_guidance(self, fix_id: str, report: Report) -> AppSettings:
        """Apply a guidance-only fix to the practice app's variables and record it."""
        plan = guidance_plan(fix_id, report, self.app_settings())
        if fix_id == "show-dns-records":
            return self.publish_records(plan)
        return self.apply_changes(plan)

    @staticmethod
    def publishes(plan: Plan) -> bool:
        """True for a guidance plan whose DNS records practice publishes (show-dns-records)."""
        from sesfix.demo.dns import is_zone_line

        return plan.fix_id == "show-dns-records" and any(map(is_zone_line, plan.guidance))

    def publish_records(self, plan: Plan) -> AppSettings:
        """Publish a ``show-dns-records`` plan's zone lines in the practice DNS, as the
        learner would at the domain's DNS host."""
        account = self._account()
        published = [line for line in plan.guidance if account.dns.zone.publish(line)]
        if not published:
            raise UsageError(f"{plan.fix_id}: no DNS record to publish")
        self.note_fix(plan.fix_id)
        return self.app_settings()

    def apply_changes(self, plan: Plan) -> AppSettings:
        """Apply a guidance plan's variable changes as they are, as the learner would."""
        if plan.kind != "guidance" or not plan.changes:
            raise UsageError(f"{plan.fix_id}: nothing in the app's variables to change")
        settings = self.app_settings()
        for change in plan.changes:
            value = change.value.reveal() if change.value is not None else None
            settings = self.set_app_variable(change.name, value)
        self.note_fix(plan.fix_id)
        return settings


def guidance_plan(fix_id: str, report: Report, settings: AppSettings) -> Plan:
    """The guidance plan of ``fix_id`` (no AWS call); UsageError for an AWS fix."""
    if fix_id not in GUIDANCE_FIXES:
        raise UsageError(f"{fix_id} is not a guidance-only fix practice mode can apply")
    from sesfix.fixes import plan_fix

    return plan_fix(fix_id, report, settings, operator=None)


def guidance_changes(
    fix_id: str, report: Report, settings: AppSettings
) -> Mapping[str, str | None]:
    """What the guidance of ``fix_id`` says to change in the app's variables.

    ``{variable: new value}`` (None: remove the variable), exactly the plan's
    :attr:`~sesfix.fixes.model.Plan.changes`: derived from the report's findings and the
    current values, never from the scenario.
    """
    plan = guidance_plan(fix_id, report, settings)
    return {c.name: (c.value.reveal() if c.value is not None else None) for c in plan.changes}


__all__ = [
    "GUIDANCE_FIXES",
    "PracticeInfo",
    "guidance_changes",
    "guidance_plan",
    "moto_available",
    "point_environment",
    "require_moto",
]
