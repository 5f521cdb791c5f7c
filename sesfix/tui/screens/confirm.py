"""Confirmations: ModalScreen[bool] that answers True only on an explicit yes.

The key that says yes is ``a`` (apply): ``y`` copies the CLI on the page behind, so a
doubled ``y`` must never apply a fix. Keys that arrived before the dialog was drawn are
dropped, so nothing typed ahead answers a question the person has not seen.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Select, Static

from sesfix.fixes.targets import source_text, target_label
from sesfix.locale import t
from sesfix.text import visible
from sesfix.tui.bindings import Localized
from sesfix.tui.render import ours, outside, runnable
from sesfix.tui.widgets.probes import CliBlock

if TYPE_CHECKING:
    from textual import events

    from sesfix.fixes import InputField, Plan


class ConfirmScreen(Localized, ModalScreen[bool]):
    """A question with the exact commands that will run; Esc or No answers False."""

    BINDINGS = [
        Binding("escape", "answer(False)", "no", id="confirm-no"),
        Binding("n", "answer(False)", "no", id="confirm-no-key", show=False),
        Binding("a", "answer(True)", "yes", id="confirm-yes"),
        Binding("c", "copy", "copy", id="confirm-copy"),
    ]

    def __init__(
        self,
        title: str,
        body: str,
        commands: list[str],
        *,
        yes_label: str,
        documents: dict[str, Any] | None = None,
        extra: list[str] | None = None,
        can_apply: bool = True,
        key_ids: Iterable[str] = (),
    ) -> None:
        super().__init__()
        #: Full key IDs the commands may name masked: the copy carries them in full.
        self.key_ids = list(key_ids)
        #: When the dialog was first drawn (keys from before then are dropped).
        self.ready_at: float | None = None
        self.heading = title
        self.body = body
        self.commands = commands
        self.documents = documents or {}
        self.extra = extra or []
        self.yes_label = yes_label
        self.can_apply = can_apply
        #: Lines the Copy button adds (a plan's guidance: DNS records, variable values).
        self.copy_extra: list[str] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(ours(self.heading, "bold"), id="dialog-title")
            with VerticalScroll(id="dialog-body"):
                # Plans quote users, domains, AWS messages and policies: outside text.
                if self.body:
                    yield Static(outside(self.body, limit=4_000), classes="plan-summary")
                for line in self.extra:
                    yield Static(outside(line, limit=4_000), classes="plan-extra")
                if self.commands:
                    yield Static(Text(t("plan.calls"), style="bold"), classes="section-title")
                    yield CliBlock(self.commands, classes="plan-calls")
                for name, doc in self.documents.items():
                    yield Static(ours(t("plan.document", name=visible(name)), "bold"))
                    yield Static(
                        outside(json.dumps(doc, indent=2), limit=20_000), classes="plan-document"
                    )
                yield from self.compose_fields()
            with Horizontal(id="dialog-buttons"):
                if self.can_apply:
                    yield Button(f"{self.yes_label} (a)", id="yes", variant="warning")
                yield from self.compose_extra_buttons()
                yield Button(t("confirm.no") if self.can_apply else t("confirm.close"), id="no")
                if self.commands or self.documents or self.copy_extra:
                    yield Button(t("confirm.copy"), id="copy")

    def compose_fields(self) -> ComposeResult:
        yield from ()

    def compose_extra_buttons(self) -> ComposeResult:
        yield from ()

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()
        self.call_after_refresh(self._drawn)

    def _drawn(self) -> None:
        self.ready_at = time.monotonic()

    def on_key(self, event: events.Key) -> None:
        """Drop keys typed before the dialog was on screen (they were meant for the page)."""
        if self.ready_at is None or event.time < self.ready_at:
            event.prevent_default()
            event.stop()

    def action_answer(self, yes: bool) -> None:
        if yes:
            self.say_yes()
        else:
            self.dismiss(False)

    def say_yes(self) -> None:
        self.dismiss(self.can_apply)

    def action_copy(self) -> None:
        parts = list(self.commands)
        parts.extend(json.dumps(doc, indent=2) for doc in self.documents.values())
        parts.extend(self.copy_extra)
        if parts:
            self.app.copy_to_clipboard(runnable(parts, self.key_ids))
            self.app.notify(t("copy.done", n=len(parts)), markup=False)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "yes":
            self.say_yes()
        elif event.button.id == "no":
            self.dismiss(False)
        elif event.button.id == "copy":
            self.action_copy()
        elif event.button.id == "replan":
            self.replan()

    def replan(self) -> None:
        """Overridden by the fix modal: plan again with the typed values."""


class ConfirmFixScreen(ConfirmScreen):
    """The plan of a fix: API calls, policy JSON, guidance; applies only on yes."""

    def __init__(
        self,
        plan: Plan,
        *,
        practice_guidance: bool = False,
        inputs: dict[str, str] | None = None,
        key_ids: Iterable[str] = (),
    ) -> None:
        extra: list[str] = []
        target = {k: v for k, v in plan.target.items() if v not in (None, "", [], {})}
        if target:
            extra.append(
                t("plan.target")
                + "\n"
                + "\n".join(f"  {target_label(k)}: {target_value(k, v)}" for k, v in target.items())
            )
        if plan.noop:
            extra.append(t("plan.noop", reason=plan.noop_reason))
        if plan.refused:
            extra.append(t("plan.refused", reason=plan.refused))
        extra.extend(f"⚠ {w}" for w in plan.warnings)
        extra.extend(f"→ {g}" for g in plan.guidance)
        if plan.diff:
            extra.append(plan.diff)
        if plan.verify:
            extra.append(t("plan.verify", what=plan.verify))
        if plan.inputs_needed:
            extra.append(t("plan.inputs", names=", ".join(i.label for i in plan.inputs_needed)))
        super().__init__(
            t("plan.title", fix=t(f"fix.{plan.fix_id}.title")),
            plan.summary,
            plan.cli_commands(),
            yes_label=t("confirm.practice") if practice_guidance else t("confirm.apply"),
            documents=plan.documents,
            extra=extra,
            can_apply=plan.applicable or practice_guidance,
            key_ids=[*plan.key_ids(), *key_ids],
        )
        self.plan = plan
        self.copy_extra = list(plan.guidance)
        self.inputs = dict(inputs or {})
        self.fields: list[InputField] = [*plan.inputs_needed, *plan.options]
        #: Set when the person asked for a new plan with typed values (then dismissed False).
        self.replan_inputs: dict[str, str] | None = None

    def compose_fields(self) -> ComposeResult:
        if not self.fields:
            return
        yield Static(Text(t("plan.fields"), style="bold"), classes="section-title")
        for i, field in enumerate(self.fields):
            value = self.inputs.get(field.name, field.default)
            yield Static(outside(field.label + (f" ({field.help})" if field.help else "")))
            if field.choices:
                yield Select(
                    [(c, c) for c in field.choices],
                    value=value if value in field.choices else field.choices[0],
                    allow_blank=False,
                    id=f"field-{i}",
                    classes="plan-field",
                )
            else:
                yield Input(value=value, id=f"field-{i}", classes="plan-field")

    def compose_extra_buttons(self) -> ComposeResult:
        if self.fields:
            yield Button(t("plan.replan"), id="replan", variant="primary")

    def typed(self) -> dict[str, str]:
        values: dict[str, str] = {}
        for i, field in enumerate(self.fields):
            widget = self.query_one(f"#field-{i}")
            value = widget.value if isinstance(widget, (Input, Select)) else ""
            values[field.name] = str(value) if isinstance(value, str) else ""
        return values

    def planned_with(self) -> dict[str, str]:
        """The values this plan was made with (what Yes would apply)."""
        return {f.name: self.inputs.get(f.name, f.default) for f in self.fields}

    def replan(self) -> None:
        # Values typed for an earlier plan (no longer fields here) are kept, not dropped.
        self.replan_inputs = {**self.inputs, **self.typed()}
        self.dismiss(False)

    def say_yes(self) -> None:
        """Yes applies what the plan shows: edited values first make a new plan to confirm."""
        if self.fields and self.typed() != self.planned_with():
            self.app.notify(t("plan.replanned"), markup=False)
            self.replan()
            return
        super().say_yes()


def target_value(key: str, value: object) -> str:
    return source_text(str(value)) if key == "source" else visible(value, limit=300)
