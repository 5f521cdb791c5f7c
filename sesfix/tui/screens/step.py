"""One screen per step of the guide: what it checks, its findings and its probes, live."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Button, Static

from sesfix.findings import SEVERITY_RANK, Severity
from sesfix.locale import t
from sesfix.text import visible
from sesfix.tui.messages import (
    CopyRequested,
    FixRequested,
    RailwayPushRequested,
    UndoRequested,
)
from sesfix.tui.render import ours, outside, tone
from sesfix.tui.screens.base import PageScreen
from sesfix.tui.widgets.findings import FindingCard, FixButton
from sesfix.tui.widgets.log_panel import LogPanel
from sesfix.tui.widgets.probes import ProbeList
from sesfix.tui.widgets.sidebar import ICONS


class StepScreen(PageScreen):
    def __init__(self, number: int) -> None:
        super().__init__(name=f"step{number}", id=f"step{number}")
        self.number = number
        self.page = f"step{number}"
        self._shown_findings: tuple[object, ...] | None = None

    def compose_main(self) -> ComposeResult:
        yield Static(id="step-title", classes="page-title")
        yield Static(ours(t(f"step.{self.number}.intro")), id="step-intro", classes="intro")
        yield Static(id="status", classes="status")
        with Vertical(id="change-actions"):
            yield Button(t("undo.button"), id="undo-button", classes="undo")
            yield Button(t("newkey.copy"), id="copy-key-button")
            yield Button(t("guidance.copy"), id="copy-guidance-button")
            yield Button(t("newkey.copy_secret"), id="copy-secret-button", variant="warning")
            yield Button(t("railway.push.button"), id="push-railway-button", variant="primary")
            yield Button(t("newkey.retire"), id="retire-old-button", variant="warning")
        yield Vertical(id="findings")
        yield Static(t("probes.title"), classes="section-title")
        yield ProbeList(id="probes")
        if self.number == 5:
            # The guide's step 5 is reading the app's logs: paste, a file, or Railway.
            app = self.wizard
            yield Static(t("logs.title"), classes="section-title")
            yield LogPanel(
                id="log-panel",
                service=app.railway_service,
                environment=app.railway_environment,
                secrets=(app.settings.secret_access_key, app.settings.session_token),
            )

    def update_main(self, *, probes_only: bool = False) -> None:
        app = self.wizard
        n = self.number
        state = app.step_state(n)
        icon, style = ICONS.get(state, ("?", ""))
        title = Text.assemble(
            (t("step.heading", n=n, name=t(f"step.{n}.name")), "bold"),
            "  ",
            (f"{icon} {t('state.' + state)}", tone(style)),
        )
        self.query_one("#step-title", Static).update(title)
        status = self._status_text()
        self.query_one("#status", Static).update(status)
        self.query_one("#status", Static).display = bool(status.plain)
        idle = not (app.state.running or app.state.fix_busy or app.state.preparing)
        self.query_one("#undo-button", Button).display = bool(app.state.applied) and idle
        rotated = app.state.last_new_key is not None
        # Each button only where it applies: the new key's after a rotation, the follow-up
        # steps when the last fix left some.
        shown = {
            "#copy-key-button": rotated,
            "#copy-secret-button": rotated,
            "#copy-guidance-button": bool(app.state.last_guidance),
            "#push-railway-button": rotated
            and app.from_railway
            and idle
            and not app.state.railway_busy,
            "#retire-old-button": rotated and idle and app.state.old_key_id is not None,
        }
        for selector, show in shown.items():
            self.query_one(selector, Button).display = show
        self.query_one("#change-actions").display = bool(app.state.applied) or any(shown.values())
        self.query_one(ProbeList).show(
            app.probes_for(n), show_cli=app.state.show_cli, stable=app.stable_output
        )
        if not probes_only:
            self._render_findings()
        if self.number == 5:
            self.query_one(LogPanel).report = None if app.state.running else app.state.report

    def _status_text(self) -> Text:
        app = self.wizard
        if app.state.preparing:
            return ours(t("status.preparing"), "italic yellow")
        lines: list[tuple[str, str]] = []
        if app.practice is not None:
            lines.append(
                (
                    t(
                        "status.practice",
                        scenario=app.practice.scenario,
                        description=app.practice.description,
                    ),
                    "italic",
                )
            )
        if app.state.running:
            lines.append((t("status.probing"), "italic cyan"))
        elif app.state.cancelled:
            lines.append((t("status.cancelled"), "bold yellow"))
        elif app.state.report is None:
            lines.append((t("status.idle"), "italic"))
        if app.state.fix_status:
            lines.append((app.state.fix_status, "bold"))
        key = app.state.last_new_key
        if key is not None:
            where = (
                t("newkey.in_keyring", label=key.keyring_label)
                if key.keyring_stored
                else t("newkey.not_in_keyring", reason=key.keyring_detail)
            )
            user = visible(key.user, limit=128)
            lines.append((t("newkey.created", key=key.masked, user=user) + " " + where, "green"))
            if app.state.old_key_id is not None and not app.state.running:
                lines.append((t("newkey.retire_hint"), "bold"))
        # Fix results quote AWS's messages and the app's values: outside text, kept as text.
        text = Text()
        for i, (line, style) in enumerate(lines):
            if i:
                text.append("\n")
            text.append(outside(line, style, limit=4_000))
        return text

    def _render_findings(self) -> None:
        app = self.wizard
        report = app.state.report
        box = self.query_one("#findings", Vertical)
        if report is None or app.state.running:
            key: tuple[object, ...] = ("none", app.state.running)
        else:
            key = (app.state.generation, tuple(f.id for f in report.findings_for(self.number)))
        if key == self._shown_findings:
            return
        self._shown_findings = key
        box.remove_children()
        if report is None or app.state.running:
            return
        findings = report.findings_for(self.number)
        status = report.step(self.number).status
        if status == "fail" and not any(f.severity == Severity.ERROR for f in findings):
            causes = [f for f in report.errors if f.step != self.number]
            if causes:
                names = "; ".join(
                    t("step.cause_item", n=f.step, title=f.localized("title")) for f in causes
                )
                box.mount(
                    Static(Text(t("step.caused_elsewhere", causes=names)), classes="elsewhere")
                )
        if not findings:
            msg = t("step.no_findings") if report.step(self.number).status == "pass" else ""
            if report.step(self.number).status == "unknown":
                msg = t("step.unknown")
            if msg:
                box.mount(Static(ours(msg), classes="all-clear"))
            return
        cards = [
            FindingCard(f, i)
            for i, f in enumerate(sorted(findings, key=lambda f: SEVERITY_RANK[f.severity]))
        ]
        box.mount_all(cards)

    @on(Button.Pressed, "#undo-button")
    def _undo(self, event: Button.Pressed) -> None:
        event.stop()
        self.post_message(UndoRequested())

    @on(Button.Pressed, "#copy-key-button")
    def _copy_key(self, event: Button.Pressed) -> None:
        event.stop()
        key = self.wizard.state.last_new_key
        if key is not None:
            self.post_message(CopyRequested(key.access_key_id, key.masked))

    @on(Button.Pressed, "#copy-secret-button")
    def _copy_secret(self, event: Button.Pressed) -> None:
        """No keyring: the only way out for the new secret, and it never touches the screen."""
        event.stop()
        key = self.wizard.state.last_new_key
        if key is not None:
            self.post_message(
                CopyRequested(key.secret.reveal(), t("newkey.secret_what", key=key.masked))
            )

    @on(Button.Pressed, "#retire-old-button")
    def _retire_old(self, event: Button.Pressed) -> None:
        event.stop()
        self.post_message(FixRequested("retire-old-key"))

    @on(Button.Pressed, "#push-railway-button")
    def _push_railway(self, event: Button.Pressed) -> None:
        event.stop()
        self.post_message(RailwayPushRequested())

    @on(Button.Pressed, "#copy-guidance-button")
    def _copy_guidance(self, event: Button.Pressed) -> None:
        event.stop()
        lines = self.wizard.state.last_guidance
        if lines:
            self.post_message(CopyRequested("\n".join(lines), t("guidance.what", n=len(lines))))

    @on(Button.Pressed, ".fix-button")
    def _fix(self, event: Button.Pressed) -> None:
        event.stop()
        if isinstance(event.button, FixButton):
            self.post_message(FixRequested(event.button.fix_id))
