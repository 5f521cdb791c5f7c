"""Where the app's variables come from, and who the operator is."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Button, Checkbox, Input, RadioButton, RadioSet, Select, Static

from sesfix.aws.identity import OperatorSpec
from sesfix.locale import t
from sesfix.masking import Secret
from sesfix.settings import EMAIL_FROM, KEY_ID, REGION, SECRET
from sesfix.sources import SourceKind, SourceSpec, typed_spec
from sesfix.text import visible
from sesfix.tui.screens.base import PageScreen

SOURCES = ("environment", "envfile", "typed", "keyring")
KEEP_OPERATOR = "__current__"
NO_OPERATOR = "__none__"


@dataclass(frozen=True)
class SourceChoice:
    source: str
    env_path: str
    key_id: str
    secret: Secret | None
    region: str
    email_from: str
    keyring_label: str
    remember: bool
    remember_label: str
    operator: str


class SourcesScreen(PageScreen):
    page = "sources"

    def __init__(self) -> None:
        super().__init__(name="sources", id="sources")
        self._keyring_text = ""

    def compose_main(self) -> ComposeResult:
        yield Static(Text(t("page.sources"), style="bold"), classes="page-title")
        yield Static(t("sources.intro"), classes="intro")
        yield Static(id="sources-current", classes="status")
        yield Static(Text(t("sources.where"), style="bold"), classes="section-title")
        with RadioSet(id="source"):
            for i, name in enumerate(SOURCES):
                yield RadioButton(t(f"sources.{name}"), id=f"source-{name}", value=i == 0)
        yield Input(placeholder=".env", id="env-path", classes="for-envfile")
        yield Input(placeholder=KEY_ID, id="key-id", classes="for-typed")
        yield Input(placeholder=SECRET, id="secret", password=True, classes="for-typed")
        yield Input(placeholder=f"{REGION} (ap-southeast-1)", id="region", classes="for-typed")
        yield Input(
            placeholder=f"{EMAIL_FROM} (no-reply@example.com)", id="email-from", classes="for-typed"
        )
        yield Select[str](
            [], id="keyring-label", prompt=t("sources.keyring_pick"), classes="for-keyring"
        )
        with Horizontal(id="remember-row", classes="for-typed"):
            yield Checkbox(t("sources.remember"), id="remember")
            yield Input(value="default", id="remember-label", placeholder=t("sources.label"))
        yield Static(id="keyring-status", classes="note")
        yield Static(Text(t("sources.operator"), style="bold"), classes="section-title")
        yield Static(t("sources.operator_help"), classes="intro")
        yield Select[str]([], id="operator", prompt=t("sources.operator_none"), allow_blank=True)
        yield Button(t("sources.use"), id="use", variant="primary")

    def on_mount(self) -> None:
        super().on_mount()
        self._show_fields("environment")
        self._discover()

    @work(thread=True, exclusive=True, exit_on_error=False, group="sources", name="discover")
    def _discover(self) -> None:
        """Keyring state, remembered labels and AWS profiles: all blocking, all here."""
        from sesfix.secrets import keyring_status, list_labels
        from sesfix.sources import operator_profiles

        status = keyring_status()
        labels = list_labels() if status.usable else []
        profiles = operator_profiles()
        self.app.call_from_thread(self._discovered, status.usable, status.reason, labels, profiles)

    def _discovered(
        self, usable: bool, reason: str, labels: list[str], profiles: list[str]
    ) -> None:
        self._keyring_text = (
            t("sources.keyring_ok")
            if usable
            else t("sources.keyring_off", reason=visible(reason, limit=300))
        )
        self.query_one("#keyring-status", Static).update(
            Text(self._keyring_text, style="dim" if usable else "yellow")
        )
        self.query_one("#keyring-label", Select).set_options(
            [(visible(x, limit=80), x) for x in labels]
        )
        options: list[tuple[str, str]] = []
        current = self.wizard.operator
        if current is not None and current.credentials is not None:
            options.append((t("sources.operator_builtin"), KEEP_OPERATOR))
        options.extend((f"{t('sources.profile')} {visible(p, limit=80)}", p) for p in profiles)
        select = self.query_one("#operator", Select)
        select.set_options(options)
        if current is not None and current.credentials is not None:
            select.value = KEEP_OPERATOR
        elif current is not None and current.profile in profiles:
            select.value = current.profile

    def update_main(self, *, probes_only: bool = False) -> None:
        app = self.wizard
        s = app.settings
        described = s.describe()
        text = Text(
            t(
                "sources.current",
                source=visible(s.source, limit=300),
                operator=visible(app.operator.label, limit=120)
                if app.operator
                else t("sources.operator_none"),
            )
            + "\n",
            style="bold",
        )
        # Values from outside (the app's variables, masked): shown as text, escapes visible.
        text.append(
            "  ".join(f"{k}={visible(v, limit=200)}" for k, v in described.items()), style="dim"
        )
        self.query_one("#sources-current", Static).update(text)

    def _show_fields(self, source: str) -> None:
        for name in ("envfile", "typed", "keyring"):
            for widget in self.query(f".for-{name}"):
                widget.display = name == source

    @on(RadioSet.Changed, "#source")
    def _source_changed(self, event: RadioSet.Changed) -> None:
        event.stop()
        self._show_fields(SOURCES[event.index])

    def _choice(self) -> SourceChoice:
        radio = self.query_one("#source", RadioSet)
        index = radio.pressed_index if radio.pressed_index >= 0 else 0
        secret = self.query_one("#secret", Input).value
        operator = self.query_one("#operator", Select).value
        return SourceChoice(
            source=SOURCES[index],
            env_path=self.query_one("#env-path", Input).value.strip() or ".env",
            key_id=self.query_one("#key-id", Input).value,
            secret=Secret(secret) if secret else None,
            region=self.query_one("#region", Input).value,
            email_from=self.query_one("#email-from", Input).value,
            keyring_label=str(self.query_one("#keyring-label", Select).value or ""),
            remember=self.query_one("#remember", Checkbox).value,
            remember_label=self.query_one("#remember-label", Input).value.strip() or "default",
            operator=operator if isinstance(operator, str) else NO_OPERATOR,
        )

    @on(Button.Pressed, "#use")
    def _use(self, event: Button.Pressed) -> None:
        event.stop()
        self._resolve(self._choice(), self.wizard.operator)

    @work(thread=True, exclusive=True, exit_on_error=False, group="sources", name="sources")
    def _resolve(self, choice: SourceChoice, current: OperatorSpec | None) -> None:
        """Open the chosen source through :mod:`sesfix.sources` (blocking: files, keyring)."""
        from sesfix.sources import open_source, remember

        source = open_source(source_spec(choice, current))
        settings = source.settings
        if choice.remember and choice.source == "typed":
            status = remember(choice.remember_label, settings)
            if status is not None:
                note = (
                    t("sources.remembered", label=choice.remember_label)
                    if status.usable
                    else t("sources.not_remembered", reason=status.reason)
                )
                self.app.call_from_thread(
                    self.app.notify, note, severity="information" if status.usable else "warning"
                )
        reload = source.reload if source.reloadable else None
        self.app.call_from_thread(self.wizard.use_sources, settings, source.operator, reload)


def source_spec(choice: SourceChoice, current: OperatorSpec | None) -> SourceSpec:
    """The form's choice as a :class:`~sesfix.sources.SourceSpec`."""
    if choice.operator == KEEP_OPERATOR:
        operator, profile = current, None
    elif choice.operator in ("", NO_OPERATOR):
        operator, profile = None, None
    else:
        operator, profile = None, choice.operator
    if choice.source == "typed":
        values = {KEY_ID: choice.key_id, REGION: choice.region, EMAIL_FROM: choice.email_from}
        return typed_spec(values, choice.secret, operator=operator, operator_profile=profile)
    kind: SourceKind = "environment"
    if choice.source == "envfile":
        kind = "envfile"
    elif choice.source == "keyring":
        kind = "keyring"
    return SourceSpec(
        kind=kind,
        env_file=choice.env_path,
        keyring_label=choice.keyring_label,
        operator=operator,
        operator_profile=profile,
    )
