"""A finding in plain words: title, evidence, why it breaks sending, and fix buttons."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Button, Static

from sesfix.findings import Finding, Severity
from sesfix.locale import t
from sesfix.smtp.derive import GUIDE_SNIPPET
from sesfix.text import visible
from sesfix.tui.render import tone
from sesfix.tui.widgets.snippet import SnippetBlock

SEVERITY = {
    Severity.ERROR: ("✗", "red"),
    Severity.WARNING: ("!", "yellow"),
    Severity.INFO: ("i", "blue"),
}
#: Without colour (NO_COLOR) the severity still shows: an error's title is reversed.
NO_COLOR_EMPHASIS = {Severity.ERROR: "reverse", Severity.WARNING: "underline", Severity.INFO: ""}


#: SMTP password findings: the derivation from AWS's guide is shown beside them (step 2).
DERIVATION_SHOWN = frozenset(
    {
        "smtp.password_is_secret_key",
        "smtp.password_wrong_region",
        "smtp.password_other_key",
        "smtp.password_legacy_sigv2",
    }
)


class FixButton(Button):
    def __init__(self, fix_id: str, *, id: str) -> None:
        from sesfix.fixes.catalogue import FIX_CATALOGUE

        spec = FIX_CATALOGUE.get(fix_id)
        aws = spec is not None and spec.kind == "aws"
        super().__init__(
            t(f"fix.{fix_id}.title"),
            id=id,
            variant="primary" if aws else "default",
            classes="fix-button",
        )
        self.fix_id = fix_id


class FindingCard(Vertical):
    def __init__(self, finding: Finding, index: int) -> None:
        super().__init__(classes=f"finding severity-{finding.severity}")
        self.finding = finding
        self.index = index

    def compose(self) -> ComposeResult:
        f = self.finding
        icon, style = SEVERITY[f.severity]
        emphasis = NO_COLOR_EMPHASIS[f.severity]
        title = Text.assemble(
            (f"{icon} ", tone(f"bold {style} {emphasis}")),
            (f.localized("title"), tone(f"bold {style}")),
        )
        title.append(f"  [{f.id}]", style="italic")
        yield Static(title, classes="finding-title")
        if f.evidence:
            ev = Text(t("finding.evidence") + "\n", style="bold")
            # Evidence quotes the app's variables and AWS's answers: outside text.
            ev.append("\n".join(f"• {visible(e, limit=500)}" for e in f.evidence), style="")
            yield Static(ev, classes="finding-evidence")
        label = t("finding.note") if f.severity == Severity.INFO else t("finding.why")
        why = Text(label + " ", style="bold")
        why.append(f.localized("explanation"))
        yield Static(why, classes="finding-why")
        if f.id in DERIVATION_SHOWN:
            # The teaching beside the finding, as a probe shows its AWS CLI: how AWS's guide
            # derives the SMTP password from the secret (plain text: it holds "[0x04]").
            yield Static(Text(t("smtp.derivation.label"), style="bold"), classes="finding-why")
            yield SnippetBlock(GUIDE_SNIPPET, classes="derivation")
        if f.fixes and f.severity != Severity.INFO:
            # One button per line, each as wide as its label: whole at 80 columns, in vi too.
            with Vertical(classes="fix-buttons"):
                for j, fix_id in enumerate(f.fixes):
                    yield FixButton(fix_id, id=f"fix-{self.index}-{j}-{fix_id}")
