"""The wizard's application: state, the diagnosis in the background, navigation.

Build it with :func:`make_app` (the CLI, the practice mode, the tests and the screenshot
script all do). Every blocking call (diagnosis, fixes, keyring, test send) runs in a daemon
thread (:mod:`sesfix.tui.background`) that ``q`` and Esc abandon rather than await; results
come back as messages. Changes (fixes, undo, test send, Railway) live in
:mod:`sesfix.tui.changes`; keys and pages in :mod:`sesfix.tui.bindings`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import App, SystemCommand
from textual.screen import Screen
from textual.widgets import Input, Select, TextArea
from textual.worker import Worker, WorkerState

from sesfix.aws.gateway import CallFinished, CallRecord, CallStarted
from sesfix.aws.identity import OperatorSpec
from sesfix.demo.practice import PracticeInfo
from sesfix.diagnosis.report import Report
from sesfix.locale import detect_language, set_language, t
from sesfix.masking import redact
from sesfix.settings import AppSettings
from sesfix.tui import background, changes
from sesfix.tui.bindings import APP_BINDINGS, PAGES
from sesfix.tui.messages import (
    CopyRequested,
    DiagnosisDone,
    FixProgress,
    FixRequested,
    ProbeEvent,
    RailwayPushRequested,
    StepVerdict,
    TestSendRequested,
    UndoRequested,
)
from sesfix.tui.state import (
    ProbeLine,
    WizardState,
    aws_unreachable,
    first_failing_step,
    known_key_ids,
)
from sesfix.tui.widgets.sidebar import Sidebar

if TYPE_CHECKING:
    from sesfix.demo.record import OnboardingRecord
    from sesfix.diagnosis.steps import StepSettled

Prepare = Callable[[], tuple[AppSettings, OperatorSpec | None]]


class SesfixApp(App[int]):
    CSS_PATH = "sesfix.tcss"
    TITLE = "sesfix"
    ENABLE_COMMAND_PALETTE = True
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]
    BINDINGS = APP_BINDINGS

    def __init__(
        self,
        settings: AppSettings | None,
        operator: OperatorSpec | None,
        *,
        lang: str,
        prepare: Prepare | None = None,
        practice: PracticeInfo | None = None,
    ) -> None:
        set_language(lang)
        self.lang = lang
        super().__init__()
        self.settings: AppSettings = settings or AppSettings.from_mapping({}, t("source.none"))
        self.operator = operator
        self.prepare = prepare
        self.practice = practice
        #: What the pages show (sesfix.tui.state.WizardState): written here, read there.
        self.state = WizardState(preparing=prepare is not None)
        #: The app's variables came from Railway (--from-railway): step 5 fetches that
        #: service's logs, and a rotated key can be written back to it.
        self.from_railway = False
        self.railway_service: str | None = None
        self.railway_environment: str | None = None
        #: Hide timings and other run-to-run noise (snapshot tests, screenshots).
        self.stable_output = False
        self._cancel = threading.Event()
        #: Re-reads the app's variables from where they came from (environment, .env file,
        #: Railway) before a re-probe, so a value changed there is seen; blocking, so it
        #: runs in the diagnosis thread. None for typed or remembered credentials.
        self.reload_settings: Callable[[], AppSettings] | None = None

    # --- start ------------------------------------------------------------------------------

    def run(self, *args: Any, **kwargs: Any) -> int | None:
        """Run the wizard; on the way out, abandon probe threads still waiting on AWS."""
        try:
            return super().run(*args, **kwargs)
        finally:
            background.abandon_leftovers()

    def on_mount(self) -> None:
        from sesfix.tui.screens import build_pages

        if self.stable_output:  # an animated focus scroll, caught mid-way, varies with load
            self.animation_level = "none"

        for name, screen in build_pages().items():
            self.install_screen(screen, name)
        if self.prepare is not None:
            self._open("step1")
            prepare = self.prepare
            background.start(self, "prepare", prepare, lambda r: self._prepared(*r))
        elif self.has_variables:
            self._open("step1")
            self.start_diagnosis()
        else:
            self._open("sources")

    @property
    def has_variables(self) -> bool:
        return any(self.settings.present().values())

    def _open(self, name: str) -> None:
        self.state.current_page = name
        self.push_screen(name)

    def _prepared(self, settings: AppSettings, operator: OperatorSpec | None) -> None:
        self.state.preparing = False
        practice = self.practice
        self.use_sources(settings, operator, practice.app_settings if practice else None)

    def use_sources(
        self,
        settings: AppSettings,
        operator: OperatorSpec | None,
        reload: Callable[[], AppSettings] | None = None,
    ) -> None:
        """New app variables / operator (Sources screen, practice): diagnose them afresh."""
        self.settings = settings
        self.reload_settings = reload
        self.operator = operator
        self.state.report = None
        self.state.testsend_result = None
        self.start_diagnosis()
        self.goto("step1")
        self.state.follow_verdict = True

    # --- diagnosis ----------------------------------------------------------------------------

    def start_diagnosis(self, *, reload: bool = False) -> None:
        if self.state.preparing:
            return
        from sesfix.diagnosis.engine import DiagnosisOptions, diagnose

        self._cancel.set()
        cancel = self._cancel = threading.Event()
        self.state.generation += 1
        generation = self.state.generation
        self.state.probes = {}
        self.state.step_verdicts = {}
        self.state.running = True
        self.state.cancelled = False
        settings, operator = self.settings, self.operator
        reloader = self.reload_settings if reload else None

        def listener(event: CallStarted | CallFinished) -> None:
            self.post_message(ProbeEvent(event, generation))

        def on_step(event: StepSettled) -> None:
            self.post_message(StepVerdict(event.step, event.status, generation))

        def work() -> Report:
            nonlocal settings
            if reloader is not None:
                settings = reloader()
                self.post_message(
                    background.Finished("reload", lambda: self._reloaded(settings, generation))
                )
            return diagnose(
                settings,
                DiagnosisOptions(operator=operator),
                listeners=[listener],
                cancel=cancel,
                on_step=on_step,
            )

        def done(report: Report) -> None:
            self.post_message(DiagnosisDone(report, generation, cancel.is_set()))

        background.start(self, "diagnose", work, done)
        self.refresh_views()

    def _reloaded(self, settings: AppSettings, generation: int) -> None:
        if generation == self.state.generation:
            self.settings = settings

    def on_probe_event(self, message: ProbeEvent) -> None:
        if message.generation != self.state.generation:
            return
        ev = message.event
        if isinstance(ev, CallStarted):
            self.state.probes[ev.seq] = ProbeLine(
                ev.seq, ev.call, ev.identity, ev.region, ev.cli, ev.step
            )
        else:
            r = ev.record
            line = self.state.probes.get(r.seq) or ProbeLine.of(r)
            line.outcome, line.ms = r.outcome, r.ms
            self.state.probes[r.seq] = line
        self.refresh_views(probes_only=True)

    def on_step_verdict(self, message: StepVerdict) -> None:
        if message.generation != self.state.generation or not self.state.running:
            return
        self.state.step_verdicts[message.step] = message.status
        self.refresh_views(probes_only=True)

    def on_diagnosis_done(self, message: DiagnosisDone) -> None:
        if message.generation != self.state.generation:
            return
        self.state.running = False
        self.state.cancelled = message.cancelled or self.state.cancelled
        self.state.report = message.report
        self._track_practice(message.report)
        self.refresh_views()
        if self.state.cancelled:
            return
        unreachable = aws_unreachable(message.report)
        if unreachable:
            self._show_unreachable(unreachable)
        elif self.state.follow_verdict:
            step = first_failing_step(message.report)
            if step is not None and self.state.current_page.startswith("step"):
                self.goto(f"step{step}", follow=True)
        self.state.follow_verdict = False

    def _show_unreachable(self, probes: list[CallRecord]) -> None:
        from sesfix.tui.screens.error import ErrorScreen

        where = sorted({f"{p.call} ({p.region})" for p in probes})
        detail = t("unreachable.detail", n=len(probes)) + "\n" + "\n".join(where[:6])
        self.push_screen(ErrorScreen(t("unreachable.title"), detail, t("unreachable.hint")))

    def _track_practice(self, report: Report) -> None:
        if self.practice is None or self.state.cancelled:
            return
        if self.practice.note_report(report):
            self.show_summary()

    def onboarding_record(self) -> OnboardingRecord | None:
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
        if self.state.preparing:
            return "preparing"
        if self.state.running:
            return "probing"
        if self.state.report is None:
            return "cancelled" if self.state.cancelled else "idle"
        status = self.state.report.step(number).status
        if status == "unknown" and self.state.cancelled:
            return "cancelled"
        return status

    def probes_for(self, number: int) -> list[ProbeLine]:
        """The step's probes in the order they ran (their sequence numbers), live and
        afterwards alike: smtp:Connect, smtp:StartTLS, smtp:Auth read as the conversation
        went, and the list does not reorder itself when the report arrives."""
        if self.state.running or self.state.report is None:
            return sorted(
                (p for p in self.state.probes.values() if p.step == number), key=lambda p: p.seq
            )
        lines = [ProbeLine.of(r) for r in self.state.report.step(number).probes]
        if self.stable_output:
            # Calls made side by side take their numbers in whatever order their threads
            # start: a picture (snapshot, screenshot) must not change with that.
            return sorted(lines, key=_stable_order)
        return sorted(lines, key=lambda p: p.seq)

    # --- changes (sesfix.tui.changes) -----------------------------------------------------

    def request_fix(self, fix_id: str, inputs: dict[str, str] | None = None) -> None:
        changes.request_fix(self, fix_id, inputs)

    def action_undo(self) -> None:
        changes.start_undo(self)

    def send_test(self, to: str) -> None:
        changes.send_test(self, to)

    def offer_railway_push(self) -> None:
        changes.offer_railway_push(self)

    def on_fix_requested(self, message: FixRequested) -> None:
        self.request_fix(message.fix_id)

    def on_undo_requested(self, message: UndoRequested) -> None:
        self.action_undo()

    def on_test_send_requested(self, message: TestSendRequested) -> None:
        self.send_test(message.to)

    def on_railway_push_requested(self, message: RailwayPushRequested) -> None:
        self.offer_railway_push()

    def on_copy_requested(self, message: CopyRequested) -> None:
        self.copy_value(message.text, message.what)

    def after_change(self) -> None:
        """A fix or an undo finished: what was true before may not be now — probe again."""
        self.state.testsend_result = None
        self.start_diagnosis()

    def on_fix_progress(self, message: FixProgress) -> None:
        self.state.fix_status = redact(message.text, self.settings.secret_access_key)
        self.refresh_views(probes_only=True)

    # --- errors: one router for every background job ---------------------------------------

    @on(background.Finished)
    def _finished(self, message: background.Finished) -> None:
        message.callback()

    @on(background.Failed)
    def _failed(self, message: background.Failed) -> None:
        self.job_failed(message.name, message.error)

    @on(Worker.StateChanged)
    def route_worker_state(self, event: Worker.StateChanged) -> None:
        self.handle_worker_state(event.worker, event.state)

    def handle_worker_state(self, worker: Worker[Any], state: WorkerState) -> None:
        """Textual workers (the Sources page's) report here too."""
        if state == WorkerState.ERROR:
            self.job_failed(worker.name or "worker", worker.error)

    def job_failed(self, name: str, error: BaseException | None) -> None:
        from sesfix.tui.failures import job_failed

        job_failed(self, name, error)

    def show_error(self, name: str, error: BaseException | None) -> None:
        from sesfix.tui.failures import show_error

        show_error(self, name, error)

    # --- navigation and actions -------------------------------------------------------------

    def goto(self, name: str, *, follow: bool = False) -> None:
        if name not in PAGES:
            return
        from sesfix.tui.screens.base import PageScreen

        if not isinstance(self.screen, PageScreen):
            return  # a modal is open: answer it first
        if not follow:
            self.state.follow_verdict = False
        if self.state.current_page == name:
            return
        self.state.current_page = name
        self.switch_screen(name)

    def on_sidebar_open(self, message: Sidebar.Open) -> None:
        self.goto(message.page)

    def action_goto(self, name: str) -> None:
        self.goto(name)

    def action_next_page(self) -> None:
        i = PAGES.index(self.state.current_page) if self.state.current_page in PAGES else -1
        self.goto(PAGES[min(i + 1, len(PAGES) - 2)])

    def action_prev_page(self) -> None:
        i = PAGES.index(self.state.current_page) if self.state.current_page in PAGES else 1
        self.goto(PAGES[max(i - 1, 0)])

    def action_help(self) -> None:
        from sesfix.tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def action_rerun(self) -> None:
        if self.state.preparing:
            return
        if self.state.fix_busy:
            self.notify(t("fix.wait"), severity="warning", markup=False)
            return
        if not self.has_variables:
            self.notify(t("rerun.no_variables"), severity="warning", markup=False)
            self.goto("sources")
            return
        self.start_diagnosis(reload=True)

    def action_cancel_probe(self) -> None:
        """Esc: leave a text box first; else stop waiting for the probes at once.

        The probe threads are told to stop and then abandoned: the UI does not wait for a
        hung endpoint. Their partial report still shows if it arrives.
        """
        if isinstance(self.focused, (Input, TextArea, Select)):
            self.screen.set_focus(None)
            return
        if self.state.running:
            self._cancel.set()
            self.state.running = False
            self.state.cancelled = True
            self.notify(t("probe.cancelling"), markup=False)
            self.refresh_views()

    def action_toggle_cli(self) -> None:
        self.state.show_cli = not self.state.show_cli
        self.refresh_views()

    def action_copy_cli(self) -> None:
        from sesfix.tui.render import runnable

        page = self.state.current_page
        if page.startswith("step"):
            lines = [p.cli for p in self.probes_for(int(page[-1]))]
        else:
            lines = [p.cli for p in self.state.probes.values()]
        if not lines:
            self.notify(t("copy.nothing"), severity="warning", markup=False)
            return
        self.copy_to_clipboard(runnable(lines, known_key_ids(self.settings, self.state)))
        self.notify(t("copy.done", n=len(lines)), markup=False)

    def copy_value(self, text: str, what: str) -> None:
        self.copy_to_clipboard(text)
        self.notify(t("copy.value", what=what), markup=False)

    def refresh_views(self, *, probes_only: bool = False) -> None:
        from sesfix.tui.screens.base import PageScreen

        for screen in self.screen_stack:
            if isinstance(screen, PageScreen) and screen.is_mounted:
                screen.update_view(probes_only=probes_only)

    # --- command palette (sesfix.tui.palette) ---------------------------------------------

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        from sesfix.tui.palette import system_commands

        yield from system_commands(self)
        yield from super().get_system_commands(screen)


def make_app(
    *,
    settings: AppSettings | None,
    operator: OperatorSpec | None,
    lang: str | None = None,
    prepare: Prepare | None = None,
    practice: PracticeInfo | None = None,
) -> SesfixApp:
    """The wizard, ready to ``run()`` or ``run_test()``.

    ``prepare`` (practice mode) runs in a background thread while the first screen already
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


#: The SMTP conversation's steps in the order they happen (one connection, one at a time).
_CONVERSATION = {"smtp:Connect": 0, "smtp:StartTLS": 1, "smtp:Auth": 2}


def _stable_order(p: ProbeLine) -> tuple[str, int, str, str, str]:
    """An order that does not depend on thread scheduling, yet keeps a conversation's steps
    as they ran: by service, the SMTP steps in their order, then by name."""
    return (p.call.split(":", 1)[0], _CONVERSATION.get(p.call, 99), p.call, p.identity, p.region)
