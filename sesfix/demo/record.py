"""The onboarding record: what a practice run broke, what the learner fixed, how long it took.

It holds finding ids, fix ids, titles and times only — never a key, a secret or a variable's
value — so it is safe to show, keep and share. :meth:`OnboardingRecord.write` saves it as
Markdown where the learner asks, by default under the user's data directory.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sesfix.errors import UsageError
from sesfix.locale import has, t

#: The one finding no fix lifts (only AWS, answering its review case): the record says so.
PAUSED = "account.paused"


def now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class OnboardingRecord:
    scenario: str
    started_at: datetime
    #: None while the practice is unfinished (the duration then runs to now).
    finished_at: datetime | None = None
    #: Error-severity finding ids of the first diagnosis, in the order reported.
    broken_findings: list[str] = field(default_factory=list)
    #: Fix ids the learner applied, in order (a fix applied twice appears twice). Entries
    #: given as ``(fix_id, when)`` or objects with a ``fix_id`` are reduced to the id.
    fixes_applied: list[str] = field(default_factory=list)
    healthy: bool = False
    #: The scenario's one-line description; looked up from the scenario name if not given.
    description: str = ""
    #: Warning finding ids of the latest diagnosis (e.g. ``account.sandbox``): the closing
    #: story tells them, a healthy app in the sandbox still cannot mail its customers.
    open_warnings: list[str] = field(default_factory=list)
    #: Error finding ids of the latest diagnosis (empty once healthy).
    still_open: list[str] = field(default_factory=list)
    #: Why the practice is not complete yet (see :mod:`sesfix.demo.progress`).
    gaps: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        object.__setattr__(self, "fixes_applied", [_fix_id(f) for f in self.fixes_applied])
        object.__setattr__(self, "broken_findings", [str(f) for f in self.broken_findings])
        for name in ("open_warnings", "still_open", "gaps"):
            object.__setattr__(self, name, [str(x) for x in getattr(self, name)])
        if not self.description:
            from sesfix.demo.account import SCENARIOS, describe

            spec = SCENARIOS.get(self.scenario)
            object.__setattr__(self, "description", describe(spec) if spec else "")

    @property
    def end(self) -> datetime:
        return self.finished_at or now()

    @property
    def duration(self) -> timedelta:
        return max(self.end - self.started_at, timedelta(0))

    @property
    def duration_text(self) -> str:
        return format_duration(self.duration)

    def titles(self) -> dict[str, str]:
        """Finding id -> its title in the current language ('' for ids the catalogue lacks)."""
        return {fid: _title("finding", fid) for fid in self.broken_findings}

    def to_markdown(self) -> str:
        """The record in the current language; ids stay as they are (they are the contract)."""
        sandboxed = "account.sandbox" in self.open_warnings
        if self.healthy:
            verdict = t("record.outcome.sandbox" if sandboxed else "record.outcome.done")
        else:
            verdict = t("record.outcome.open")
        finished = _stamp(self.finished_at) if self.finished_at else t("record.not_yet")
        lines = [
            f"# {t('record.title', scenario=self.scenario)}",
            "",
            *([self.description, ""] if self.description else []),
            f"- {t('record.started')}: {_stamp(self.started_at)}",
            f"- {t('record.finished')}: {finished}",
            f"- {t('record.time')}: {self.duration_text}",
            f"- {t('record.outcome')}: {verdict}",
            "",
            f"## {t('summary.broken')}",
            "",
        ]
        if self.broken_findings:
            lines += [_item("finding", fid) for fid in self.broken_findings]
        else:
            lines.append(f"- {t('summary.broken.none')}")
        lines += ["", f"## {t('summary.fixed')}", ""]
        if self.fixes_applied:
            lines += [
                f"{i}. {_item('fix', fix)[2:]}" for i, fix in enumerate(self.fixes_applied, 1)
            ]
        else:
            lines.append(f"- {t('summary.fixed.none')}")
        if self.still_open or self.gaps:
            lines += ["", f"## {t('record.still_open')}", ""]
            lines += [_item("finding", fid) for fid in self.still_open]
            lines += [f"- {t('practice.gap.' + gap)}" for gap in self.gaps if gap != "errors"]
        if PAUSED in (self.still_open or self.broken_findings) and not self.healthy:
            lines += ["", t("record.paused_story")]
        lines += ["", f"## {t('record.warnings')}", ""]
        if self.open_warnings:
            lines += [_item("finding", fid) for fid in self.open_warnings]
            if sandboxed:
                lines += ["", t("record.sandbox_story")]
        else:
            lines.append(f"- {t('practice.none')}")
        lines += ["", f"_{t('record.footer')}_", ""]
        return "\n".join(lines)

    def write(self, path: str | Path | None = None) -> Path:
        """Write the Markdown to ``path``: a directory gets a default file name; None, the
        default place (:func:`default_path`, under the user's data directory)."""
        if path is None:
            p = default_path(self)
            try:
                p.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise UsageError(
                    t("record.cannot_write", path=str(p), error=exc.strerror or exc)
                ) from None
        else:
            p = Path(path).expanduser()
        if p.is_dir():
            p = p / default_file_name(self)
        try:
            p.write_text(self.to_markdown(), encoding="utf-8")
        except OSError as exc:
            raise UsageError(
                t("record.cannot_write", path=str(p), error=exc.strerror or exc)
            ) from None
        return p


def default_path(record: OnboardingRecord) -> Path:
    """Where a record goes unless the learner says otherwise: the user's data directory
    (``~/.local/share/sesfix/practice/`` on Linux), never the current directory."""
    from sesfix.locations import practice_records_dir

    return practice_records_dir() / default_file_name(record)


def _title(kind: str, ident: str) -> str:
    key = f"{kind}.{ident}.title"
    return t(key) if has(key) else ""


def _item(kind: str, ident: str) -> str:
    title = _title(kind, ident)
    return f"- `{ident}`" + (f": {title}" if title else "")


def default_file_name(record: OnboardingRecord) -> str:
    return f"sesfix-practice-{record.scenario}-{record.end:%Y%m%d-%H%M%S}.md"


def _fix_id(entry: Any) -> str:
    if isinstance(entry, str):
        return entry
    if isinstance(entry, tuple) and entry:
        return str(entry[0])
    return str(getattr(entry, "fix_id", entry))


def format_duration(d: timedelta) -> str:
    seconds = int(d.total_seconds())
    minutes, secs = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours} h {minutes:02d} min"
    if minutes:
        return f"{minutes} min {secs:02d} s"
    return f"{secs} s"


def _stamp(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
