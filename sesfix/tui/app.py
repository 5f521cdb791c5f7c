"""The wizard's application: state, thread workers, navigation. Screens are views over it.

Build it with :func:`make_app` (the CLI, the practice mode, the tests and the screenshot
script all do). Every blocking call (diagnosis, fixes, keyring, profile listing, test send)
runs in a thread worker; results come back as messages or through ``call_from_thread``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from textual import on, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from sesfix.aws.gateway import CallFinished, CallStarted
from sesfix.aws.identity import OperatorSpec
from sesfix.demo.practice import PracticeInfo
from sesfix.diagnosis.report import Report
from sesfix.locale import detect_language, set_language, t
from sesfix.masking import redact
from sesfix.settings import AppSettings
from sesfix.tui.messages import DiagnosisDone, FixProgress, Prepared, ProbeEvent

STEPS = (1, 2, 3, 4, 5)
PAGES = ("step1", "step2", "step3", "step4", "step5", "checklist", "testsend", "sources")


@dataclass
class ProbeLine:
    """One probe as the UI shows it, live: started, then finished."""

    seq: int
    call: str
    identity: str
    region: str
    cli: str
    step: int | None
    outcome: str | None = None
    ms: int | None = None


@dataclass
class AppliedFix:
    fix_id: str
    at: datetime
    entry_id: str
    status: str


def translate_bindings(node: Any) -> None:
    """Give every binding of ``node`` its description in the current language.

    Bindings are declared with ``id=``; the footer text comes from ``binding.<id>``.
    """
    bindings = node._bindings.key_to_bindings
    for key, items in bindings.items():
        bindings[key] = [
            replace(b, description=t(f"binding.{b.id}")) if b.id and b.description else b
            for b in items
        ]


class SesfixApp(App[int]):
    CSS_PATH = "sesfix.tcss"
    TITLE = "sesfix"
    ENABLE_COMMAND_PALETTE = True
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]

    BINDINGS = [
        Binding("r", "rerun", "rerun", id="rerun"),
        Binding("escape", "cancel_probe", "cancel", id="cancel"),
        Binding("n", "next_page", "next", id="next", show=False),
        Binding("p", "prev_page", "prev", id="prev", show=False),
        Binding("c", "goto('checklist')", "checklist", id="checklist"),
        Binding("t", "goto('testsend')", "test-send", id="testsend"),
        Binding("s", "goto('sources')", "sources", id="sources"),
        Binding("v", "toggle_cli", "cli", id="toggle-cli"),
        Binding("y", "copy_cli", "copy", id="copy-cli"),
        Binding("u", "undo", "undo", id="undo"),
        Binding("q", "quit", "quit", id="quit"),
        Binding("1", "goto('step1')", "step1", id="goto-step1", show=False),
        Binding("2", "goto('step2')", "step2", id="goto-step2", show=False),
        Binding("3", "goto('step3')", "step3", id="goto-step3", show=False),
        Binding("4", "goto('step4')", "step4", id="goto-step4", show=False),
        Binding("5", "goto('step5')", "step5", id="goto-step5", show=False),
    ]

    def __init__(
        self,
        settings: AppSettings | None,
        operator: OperatorSpec | None,
        *,
        lang: str,
        prepare: Callable[[], tuple[AppSettings, OperatorSpec | None]] | None = None,
        practice: PracticeInfo | None = None,
    ) -> None:
        set_language(lang)
        self.lang = lang
        super().__init__()
        translate_bindings(self)
        self.settings: AppSettings = settings or AppSettings.from_mapping({}, t("source.none"))
        self.operator = operator
        self.prepare = prepare
        self.practice = practice
        self.preparing = prepare is not None
        self.report: Report | None = None
        self.running = False
        self.cancelled = False
        self.generation = 0
        self.probes: dict[int, ProbeLine] = {}
        self.show_cli = True
        #: The app's variables came from Railway (--from-railway): step 5 fetches that
        #: service's logs, and a rotated key can be written back to it.
        self.from_railway = False
        self.railway_service: str | None = None
        self.railway_environment: str | None = None
        self.railway_busy = False
        #: Hide timings and other run-to-run noise (snapshot tests, screenshots).
        self.stable_output = False
        self.fix_status = ""
        self.fix_busy = False
        self.applied: list[AppliedFix] = []
        self.last_new_key: Any = None
        #: Follow-up lines of the last applied fix (DNS records, variables to set): copyable.
        self.last_guidance: list[str] = []
        self.testsend_result: Any = None
        self.testsend_busy = False
        self.error_count = 0
        self._cancel = threading.Event()
        self.current_page = ""
        #: Re-reads the app's variables from where they came from (environment, .env file,
        #: Railway) before a re-probe, so a value changed there is seen; blocking, so it
        #: runs in the diagnosis worker. None for typed or remembered credentials.
        self.reload_settings: Callable[[], AppSettings] | None = None

    # --- start ------------------------------------------------------------------------------

    def on_mount(self) -> None:
        from sesfix.tui.screens import build_pages

        for name, screen in build_pages().items():
            self.install_screen(screen, name)
        if self.prepare is not None:
            self._open("step1")
            self._prepare_worker(self.prepare)
        elif self.has_variables:
            self._open("step1")
            self.start_diagnosis()
        else:
            self._open("sources")

    @property
    def has_variables(self) -> bool:
        return any(self.settings.present().values())

    def _open(self, name: str) -> None:
        self.current_page = name
        self.push_screen(name)

    @work(thread=True, exclusive=True, exit_on_error=False, group="prepare", name="prepare")
    def _prepare_worker(
        self, prepare: Callable[[], tuple[AppSettings, OperatorSpec | None]]
    ) -> None:
        settings, operator = prepare()
        self.post_message(Prepared(settings, operator))

    def on_prepared(self, message: Prepared) -> None:
        self.preparing = False
        practice = self.practice
        self.use_sources(
            message.settings, message.operator, practice.app_settings if practice else None
        )

    def use_sources(
        self,
        settings: AppSettings,
        operator: OperatorSpec | None,
        reload: Callable[[], AppSettings] | None = None,
    ) -> None:
        """New app variables / operator (Sources screen, practice): diagnose them from step 1."""
        self.settings = settings
        self.reload_settings = reload
        self.operator = operator
        self.report = None
        self.testsend_result = None
        self.start_diagnosis()
        self.goto("step1")

    # --- diagnosis ----------------------------------------------------------------------------

    def start_diagnosis(self, *, reload: bool = False) -> None:
        if self.preparing:
            return
        self._cancel.set()
        self._cancel = threading.Event()
        self.generation += 1
        self.probes = {}
        self.running = True
        self.cancelled = False
        self._diagnose_worker(
            self.settings,
            self.operator,
            self.generation,
            self._cancel,
            self.reload_settings if reload else None,
        )
        self.refresh_views()

    @work(thread=True, exclusive=True, exit_on_error=False, group="diagnose", name="diagnose")
    def _diagnose_worker(
        self,
        settings: AppSettings,
        operator: OperatorSpec | None,
        generation: int,
        cancel: threading.Event,
        reload: Callable[[], AppSettings] | None = None,
    ) -> None:
        from sesfix.diagnosis.engine import DiagnosisOptions, diagnose

        if reload is not None:
            settings = reload()
            self.call_from_thread(self._reloaded, settings, generation)

        def listener(event: CallStarted | CallFinished) -> None:
            self.post_message(ProbeEvent(event, generation))

        report = diagnose(
            settings, DiagnosisOptions(operator=operator), listeners=[listener], cancel=cancel
        )
        self.post_message(DiagnosisDone(report, generation, cancel.is_set()))

    def _reloaded(self, settings: AppSettings, generation: int) -> None:
        if generation == self.generation:
            self.settings = settings

    def on_probe_event(self, message: ProbeEvent) -> None:
        if message.generation != self.generation:
            return
        ev = message.event
        if isinstance(ev, CallStarted):
            self.probes[ev.seq] = ProbeLine(
                ev.seq, ev.call, ev.identity, ev.region, ev.cli, ev.step
            )
        else:
            r = ev.record
            line = self.probes.get(r.seq) or ProbeLine(
                r.seq, r.call, r.identity, r.region, r.cli, r.step
            )
            line.outcome, line.ms = r.outcome, r.ms
            self.probes[r.seq] = line
        self.refresh_views(probes_only=True)

    def on_diagnosis_done(self, message: DiagnosisDone) -> None:
        if message.generation != self.generation:
            return
        self.running = False
        self.cancelled = message.cancelled
        self.report = message.report
        self._track_practice(message.report)
        self.refresh_views()

    def _track_practice(self, report: Report) -> None:
        if self.practice is None or self.cancelled:
            return
        if self.practice.note_report(report):
            self.show_summary()

    def onboarding_record(self) -> Any:
        """The practice run as an ``OnboardingRecord`` (None outside practice mode)."""
        return self.practice.record() if self.practice is not None else None

    def show_summary(self) -> None:
        record = self.onboarding_record()
        if record is None:
            return
        from sesfix.tui.screens.summary import SummaryScreen

        self.push_screen(SummaryScreen(record))

    def step_state(self, number: int) -> str:
        """idle | preparing | probing | pass | warning | fail | unknown | cancelled"""
        if self.preparing:
            return "preparing"
        if self.running:
            return "probing"
        if self.report is None:
            return "idle"
        status = self.report.step(number).status
        if status == "unknown" and self.cancelled:
            return "cancelled"
        return status

    def probes_for(self, number: int) -> list[ProbeLine]:
        """Live probes while running; afterwards the report's, in a stable order."""
        if self.running or self.report is None:
            return sorted(
                (p for p in self.probes.values() if p.step == number), key=lambda p: p.seq
            )
        records = sorted(
            self.report.step(number).probes, key=lambda r: (r.call, r.identity, r.region)
        )
        return [
            ProbeLine(r.seq, r.call, r.identity, r.region, r.cli, r.step, r.outcome, r.ms)
            for r in records
        ]

    # --- fixes --------------------------------------------------------------------------------

    def request_fix(self, fix_id: str, inputs: dict[str, str] | None = None) -> None:
        if self.report is None or self.running or self.fix_busy:
            self.notify(t("fix.wait"), severity="warning")
            return
        self.fix_busy = True
        self.fix_status = t("fix.planning", fix=t(f"fix.{fix_id}.title"))
        self.refresh_views()
        self._plan_worker(fix_id, self.report, self.settings, self.operator, inputs or {})

    @work(thread=True, exclusive=True, exit_on_error=False, group="fix", name="plan-fix")
    def _plan_worker(
        self,
        fix_id: str,
        report: Report,
        settings: AppSettings,
        operator: OperatorSpec | None,
        inputs: dict[str, str],
    ) -> None:
        from sesfix import fixes

        plan = fixes.plan_fix(fix_id, report, settings, operator=operator, inputs=inputs)
        self.call_from_thread(self._confirm_plan, plan, inputs)

    def practice_can_apply(self, plan: Any) -> bool:
        """Practice mode applies guidance fixes to the practice app's own variables."""
        return (
            self.practice is not None
            and plan.kind == "guidance"
            # the variable changes, as data, that practice applies; or DNS records it publishes
            and (bool(plan.changes) or self.practice.publishes(plan))
            and not plan.noop
            and not plan.refused
        )

    def _confirm_plan(self, plan: Any, inputs: dict[str, str] | None = None) -> None:
        from sesfix.tui.screens.confirm import ConfirmFixScreen

        self.fix_busy = False
        self.fix_status = ""
        practice_guidance = self.practice_can_apply(plan)
        screen = ConfirmFixScreen(plan, practice_guidance=practice_guidance, inputs=inputs)

        def answered(yes: bool | None) -> None:
            if screen.replan_inputs is not None:
                self.request_fix(plan.fix_id, screen.replan_inputs)
            elif yes and (plan.applicable or practice_guidance):
                self.fix_busy = True
                self.fix_status = t("fix.applying", fix=t(f"fix.{plan.fix_id}.title"))
                self.refresh_views()
                if plan.applicable:
                    self._apply_worker(plan, self.settings, self.operator)
                else:
                    self._guidance_worker(plan.fix_id, self.report)
            else:
                self.fix_status = t("fix.declined")
                self.refresh_views()

        self.push_screen(screen, answered)

    @work(thread=True, exclusive=True, exit_on_error=False, group="fix", name="apply-fix")
    def _apply_worker(
        self, plan: Any, settings: AppSettings, operator: OperatorSpec | None
    ) -> None:
        from sesfix import fixes

        def progress(text: str) -> None:
            self.post_message(FixProgress(str(text)))

        result = fixes.apply_plan(
            plan, settings=settings, operator=operator, confirmed=True, progress=progress
        )
        new_settings = None
        if self.practice is not None and result.status in ("applied", "partial"):
            self.practice.note_fix(result.fix_id)
            if result.new_key is not None:
                new_settings = self.practice.use_new_key(
                    result.new_key.access_key_id, result.new_key.secret
                )
        self.call_from_thread(self._applied, result, new_settings)

    @work(thread=True, exclusive=True, exit_on_error=False, group="fix", name="apply-fix")
    def _guidance_worker(self, fix_id: str, report: Report | None) -> None:
        assert self.practice is not None and report is not None
        settings = self.practice.apply_guidance(fix_id, report)
        self.call_from_thread(self._guidance_applied, fix_id, settings)

    def _guidance_applied(self, fix_id: str, settings: AppSettings) -> None:
        self.fix_busy = False
        self.settings = settings
        self.applied.append(AppliedFix(fix_id, datetime.now(UTC), "", "applied"))
        self.fix_status = t("fix.result.applied", fix=t(f"fix.{fix_id}.title"))
        self.start_diagnosis()

    def on_fix_progress(self, message: FixProgress) -> None:
        self.fix_status = redact(message.text, self.settings.secret_access_key)
        self.refresh_views(probes_only=True)

    def _applied(self, result: Any, new_settings: AppSettings | None = None) -> None:
        self.fix_busy = False
        entry = AppliedFix(result.fix_id, datetime.now(UTC), result.entry_id, result.status)
        if result.status in ("applied", "partial"):
            self.applied.append(entry)
        if result.new_key is not None:
            self.last_new_key = result.new_key
        if new_settings is not None:
            self.settings = new_settings
        key = "fix.result." + str(result.status)
        self.fix_status = t(key, fix=t(f"fix.{result.fix_id}.title"))
        if result.missing_permission is not None:
            self.fix_status += "\n" + result.missing_permission.describe()
        elif result.message:
            self.fix_status += "\n" + redact(result.message, self.settings.secret_access_key)
        self.last_guidance = [redact(x, self.settings.secret_access_key) for x in result.guidance]
        for line in result.guidance:
            self.fix_status += "\n→ " + redact(line, self.settings.secret_access_key)
        self.start_diagnosis()

    def action_undo(self) -> None:
        if self.fix_busy or self.running:
            self.notify(t("fix.wait"), severity="warning")
            return
        self._undo_preview_worker()

    @work(thread=True, exclusive=True, exit_on_error=False, group="fix", name="undo-preview")
    def _undo_preview_worker(self) -> None:
        from sesfix import fixes
        from sesfix.errors import UsageError

        try:
            entry, commands = fixes.undo_preview(None)
        except UsageError:
            self.call_from_thread(self.notify, t("undo.nothing"), severity="information")
            return
        self.call_from_thread(self._confirm_undo, entry, commands)

    def _confirm_undo(self, entry: Any, commands: list[str]) -> None:
        from sesfix.tui.screens.confirm import ConfirmScreen

        def answered(yes: bool | None) -> None:
            if yes:
                self.fix_busy = True
                self.fix_status = t("undo.running", fix=t(f"fix.{entry.fix_id}.title"))
                self.refresh_views()
                self._undo_worker(entry.id, self.operator)

        self.push_screen(
            ConfirmScreen(
                t("undo.title", fix=t(f"fix.{entry.fix_id}.title")),
                t("undo.body"),
                commands,
                yes_label=t("undo.yes"),
            ),
            answered,
        )

    @work(thread=True, exclusive=True, exit_on_error=False, group="fix", name="undo")
    def _undo_worker(self, entry_id: str, operator: OperatorSpec | None) -> None:
        from sesfix import fixes

        def progress(text: str) -> None:
            self.post_message(FixProgress(str(text)))

        result = fixes.undo(entry_id, operator=operator, confirmed=True, progress=progress)
        self.call_from_thread(self._undone, result)

    def _undone(self, result: Any) -> None:
        self.fix_busy = False
        if result.status in ("undone", "partial"):
            undone = [a for a in self.applied if a.entry_id == result.entry_id]
            for item in undone or self.applied[-1:]:
                self.applied.remove(item)
        self.fix_status = t("undo.result." + str(result.status))
        if result.message:
            self.fix_status += "\n" + result.message
        self.start_diagnosis()

    # --- test send ------------------------------------------------------------------------

    def send_test(self, to: str) -> None:
        if self.testsend_busy:
            return
        self.testsend_busy = True
        self.testsend_result = None
        self.refresh_views()
        self._testsend_worker(self.settings, to)

    @work(thread=True, exclusive=True, exit_on_error=False, group="testsend", name="test-send")
    def _testsend_worker(self, settings: AppSettings, to: str) -> None:
        from sesfix.diagnosis.testsend import send_test_email

        result = send_test_email(settings, to)
        self.call_from_thread(self._test_sent, result)

    def _test_sent(self, result: Any) -> None:
        self.testsend_busy = False
        self.testsend_result = result
        self.refresh_views()

    # --- a rotated key into Railway -------------------------------------------------------

    def offer_railway_push(self) -> None:
        """After rotate-access-key: write the new pair to the Railway service, if confirmed.

        Both values go through ``railway variable set --stdin``, never on a command line;
        the service redeploys once. Then the deployed variables are probed again.
        """
        from sesfix.tui.screens.confirm import ConfirmScreen

        key = self.last_new_key
        if key is None or not self.from_railway or self.railway_busy:
            return
        target = "".join(
            f" {flag} {value}"
            for flag, value in (("-s", self.railway_service), ("-e", self.railway_environment))
            if value
        )
        commands = [
            f"railway variable set --stdin AWS_ACCESS_KEY_ID{target} --skip-deploys",
            f"railway variable set --stdin AWS_SECRET_ACCESS_KEY{target}",
        ]
        body = t(
            "railway.push.body",
            key=key.masked,
            service=self.railway_service or t("railway.linked_service"),
        )
        screen = ConfirmScreen(
            t("railway.push.title"), body, commands, yes_label=t("railway.push.yes")
        )

        def answered(yes: bool | None) -> None:
            if yes:
                self.railway_busy = True
                self.fix_status = t("railway.push.running")
                self.refresh_views()
                self._railway_push_worker(key)

        self.push_screen(screen, answered)

    @work(thread=True, exclusive=True, exit_on_error=False, group="railway", name="railway-push")
    def _railway_push_worker(self, key: Any) -> None:
        from sesfix import railway

        result = railway.push_new_key_to_railway(
            key, self.railway_service, self.railway_environment
        )
        self.call_from_thread(self._railway_pushed, result.message)

    def _railway_pushed(self, message: str) -> None:
        self.railway_busy = False
        self.fix_status = t("railway.push.done", message=message)
        # Probe what the service now holds (r re-reads the variables from Railway).
        self.start_diagnosis(reload=True)

    # --- errors: one router for every worker ---------------------------------------------

    @on(Worker.StateChanged)
    def route_worker_state(self, event: Worker.StateChanged) -> None:
        self.handle_worker_state(event.worker, event.state)

    def handle_worker_state(self, worker: Worker[Any], state: WorkerState) -> None:
        if state != WorkerState.ERROR:
            return
        name = worker.name or "worker"
        if name == "diagnose":
            self.running = False
        if name == "prepare":
            self.preparing = False
        if name in ("plan-fix", "apply-fix", "undo", "undo-preview"):
            self.fix_busy = False
            self.fix_status = ""
        if name == "test-send":
            self.testsend_busy = False
        if name == "railway-push":
            self.railway_busy = False
            self.fix_status = ""
        self.show_error(name, worker.error)
        self.refresh_views()

    def show_error(self, name: str, error: BaseException | None) -> None:
        from sesfix.errors import SesfixError
        from sesfix.tui.screens.error import ErrorScreen

        self.error_count += 1
        secrets = (self.settings.secret_access_key, self.settings.session_token)
        if isinstance(error, SesfixError):
            detail = error.message
            hint = error.hint or t(f"error.{name}.hint") if t(f"error.{name}.hint") else ""
        else:
            detail = f"{type(error).__name__}: {error}" if error else ""
            hint = t(f"error.{name}.hint")
        self.push_screen(
            ErrorScreen(
                t("error.title", what=t(f"error.{name}.what")),
                redact(detail, *secrets),
                redact(hint, *secrets),
            )
        )

    # --- navigation and actions -------------------------------------------------------------

    def goto(self, name: str) -> None:
        if name not in PAGES:
            return
        from sesfix.tui.screens.base import PageScreen

        if not isinstance(self.screen, PageScreen):
            return  # a modal is open: answer it first
        if self.current_page == name:
            return
        self.current_page = name
        self.switch_screen(name)

    def action_goto(self, name: str) -> None:
        self.goto(name)

    def action_next_page(self) -> None:
        i = PAGES.index(self.current_page) if self.current_page in PAGES else -1
        self.goto(PAGES[min(i + 1, len(PAGES) - 2)])

    def action_prev_page(self) -> None:
        i = PAGES.index(self.current_page) if self.current_page in PAGES else 1
        self.goto(PAGES[max(i - 1, 0)])

    def action_rerun(self) -> None:
        if self.preparing:
            return
        if self.fix_busy:
            self.notify(t("fix.wait"), severity="warning")
            return
        if not self.has_variables:
            self.notify(t("rerun.no_variables"), severity="warning")
            self.goto("sources")
            return
        self.start_diagnosis(reload=True)

    def action_cancel_probe(self) -> None:
        if self.running:
            self._cancel.set()
            self.notify(t("probe.cancelling"))

    def action_toggle_cli(self) -> None:
        self.show_cli = not self.show_cli
        self.refresh_views()

    def action_copy_cli(self) -> None:
        page = self.current_page
        if page.startswith("step"):
            lines = [p.cli for p in self.probes_for(int(page[-1]))]
        else:
            lines = [p.cli for p in self.probes.values()]
        if not lines:
            self.notify(t("copy.nothing"), severity="warning")
            return
        self.copy_to_clipboard("\n".join(lines))
        self.notify(t("copy.done", n=len(lines)))

    def copy_value(self, text: str, what: str) -> None:
        self.copy_to_clipboard(text)
        self.notify(t("copy.value", what=what))

    def refresh_views(self, *, probes_only: bool = False) -> None:
        from sesfix.tui.screens.base import PageScreen

        for screen in self.screen_stack:
            if isinstance(screen, PageScreen) and screen.is_mounted:
                screen.update_view(probes_only=probes_only)

    # --- command palette ------------------------------------------------------------------

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        for n in STEPS:
            yield SystemCommand(
                t("palette.step", n=n, name=t(f"step.{n}.name")),
                t(f"step.{n}.intro"),
                lambda name=f"step{n}": self.goto(name),
            )
        yield SystemCommand(
            t("page.checklist"), t("palette.checklist"), lambda: self.goto("checklist")
        )
        yield SystemCommand(
            t("page.testsend"), t("palette.testsend"), lambda: self.goto("testsend")
        )
        yield SystemCommand(t("page.sources"), t("palette.sources"), lambda: self.goto("sources"))
        yield SystemCommand(t("binding.rerun"), t("palette.rerun"), self.action_rerun)
        yield SystemCommand(t("binding.toggle-cli"), t("palette.cli"), self.action_toggle_cli)
        yield SystemCommand(t("binding.undo"), t("palette.undo"), self.action_undo)
        if self.report is not None:
            for fix_id in self.report.fix_ids():
                yield SystemCommand(
                    t("palette.fix", fix=t(f"fix.{fix_id}.title")),
                    t("palette.fix_help"),
                    lambda f=fix_id: self.request_fix(f),
                )
        if self.practice is not None:
            yield SystemCommand(t("palette.summary"), t("practice.title"), self.show_summary)
        yield from super().get_system_commands(screen)


def make_app(
    *,
    settings: AppSettings | None,
    operator: OperatorSpec | None,
    lang: str | None = None,
    prepare: Callable[[], tuple[AppSettings, OperatorSpec | None]] | None = None,
    practice: PracticeInfo | None = None,
) -> SesfixApp:
    """The wizard, ready to ``run()`` or ``run_test()``.

    ``prepare`` (practice mode) runs in a thread worker while the first screen already
    shows "preparing the practice account…"; its settings and operator then replace the
    given ones and probing starts. With ``practice``, applied fixes and the moment the
    diagnosis turns healthy are recorded and the completion summary is offered.
    """
    return SesfixApp(
        settings,
        operator,
        lang=detect_language(lang),
        prepare=prepare,
        practice=practice,
    )


__all__ = ["PracticeInfo", "SesfixApp", "make_app"]
