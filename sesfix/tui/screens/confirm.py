"""Confirmations: ModalScreen[bool] that answers True only on an explicit yes."""

from __future__ import annotations

import json
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Select, Static

from sesfix.locale import t


class ConfirmScreen(ModalScreen[bool]):
    """A question with the exact commands that will run; Esc or No answers False."""

    BINDINGS = [
        Binding("escape", "answer(False)", "no", id="confirm-no"),
        Binding("n", "answer(False)", "no", id="confirm-no-key", show=False),
        Binding("y", "answer(True)", "yes", id="confirm-yes"),
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
    ) -> None:
        super().__init__()
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
            yield Static(Text(self.heading, style="bold"), id="dialog-title")
            with VerticalScroll(id="dialog-body"):
                if self.body:
                    yield Static(self.body, classes="plan-summary")
                for line in self.extra:
                    yield Static(line, classes="plan-extra")
                if self.commands:
                    yield Static(Text(t("plan.calls"), style="bold"), classes="section-title")
                    yield Static(
                        Text("\n".join(f"$ {c}" for c in self.commands), style="italic"),
                        classes="plan-calls",
                    )
                for name, doc in self.documents.items():
                    yield Static(Text(t("plan.document", name=name), style="bold"))
                    yield Static(Text(json.dumps(doc, indent=2)), classes="plan-document")
                yield from self.compose_fields()
            with Horizontal(id="dialog-buttons"):
                if self.can_apply:
                    yield Button(self.yes_label, id="yes", variant="warning")
                yield from self.compose_extra_buttons()
                yield Button(t("confirm.no") if self.can_apply else t("confirm.close"), id="no")
                if self.commands or self.documents or self.copy_extra:
                    yield Button(t("confirm.copy"), id="copy")

    def compose_fields(self) -> ComposeResult:
        yield from ()

    def compose_extra_buttons(self) -> ComposeResult:
        yield from ()

    def on_mount(self) -> None:
        from sesfix.tui.app import translate_bindings

        translate_bindings(self)
        self.query_one("#no", Button).focus()

    def action_answer(self, yes: bool) -> None:
        self.dismiss(bool(yes) and self.can_apply)

    def action_copy(self) -> None:
        parts = list(self.commands)
        parts.extend(json.dumps(doc, indent=2) for doc in self.documents.values())
        parts.extend(self.copy_extra)
        if parts:
            self.app.copy_to_clipboard("\n".join(parts))
            self.app.notify(t("copy.done", n=len(parts)))

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "yes":
            self.dismiss(self.can_apply)
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
        plan: Any,
        *,
        practice_guidance: bool = False,
        inputs: dict[str, str] | None = None,
    ) -> None:
        extra: list[str] = []
        target = {k: v for k, v in plan.target.items() if v not in (None, "", [], {})}
        if target:
            extra.append(t("plan.target") + " " + ", ".join(f"{k}: {v}" for k, v in target.items()))
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
        )
        self.plan = plan
        self.copy_extra = list(plan.guidance)
        self.inputs = dict(inputs or {})
        self.fields = [*plan.inputs_needed, *getattr(plan, "options", [])]
        #: Set when the person asked for a new plan with typed values (then dismissed False).
        self.replan_inputs: dict[str, str] | None = None

    def compose_fields(self) -> ComposeResult:
        if not self.fields:
            return
        yield Static(Text(t("plan.fields"), style="bold"), classes="section-title")
        for i, field in enumerate(self.fields):
            value = self.inputs.get(field.name, field.default)
            yield Static(field.label + (f" ({field.help})" if field.help else ""))
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

    def replan(self) -> None:
        values: dict[str, str] = {}
        for i, field in enumerate(self.fields):
            widget = self.query_one(f"#field-{i}")
            value = widget.value if isinstance(widget, (Input, Select)) else ""
            values[field.name] = str(value) if isinstance(value, str) else ""
        self.replan_inputs = values
        self.dismiss(False)
