"""The onboarding record: what a practice run broke, what the learner fixed, how long it took.

It holds finding ids, fix ids, titles and times only — never a key, a secret or a variable's
value — so it is safe to show, keep and share. :meth:`OnboardingRecord.write` saves it as
Markdown where the learner asks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sesfix.errors import UsageError


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

    def __post_init__(self) -> None:
        object.__setattr__(self, "fixes_applied", [_fix_id(f) for f in self.fixes_applied])
        object.__setattr__(self, "broken_findings", [str(f) for f in self.broken_findings])
        if not self.description:
            from sesfix.demo.account import SCENARIOS

            spec = SCENARIOS.get(self.scenario)
            object.__setattr__(self, "description", spec.description if spec else "")

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
        """Finding id -> its title from the catalogue (ids the catalogue lacks map to '')."""
        from sesfix.findings import CATALOGUE

        return {
            fid: CATALOGUE[fid].title if fid in CATALOGUE else "" for fid in self.broken_findings
        }

    def to_markdown(self) -> str:
        titles = self.titles()
        verdict = (
            "healthy: the app can send" if self.healthy else "not yet healthy: practice unfinished"
        )
        lines = [
            f"# sesfix practice record: {self.scenario}",
            "",
            *([self.description, ""] if self.description else []),
            f"- Started: {_stamp(self.started_at)}",
            f"- Finished: {_stamp(self.finished_at) if self.finished_at else 'not yet'}",
            f"- Time taken: {self.duration_text}",
            f"- Outcome: {verdict}",
            "",
            "## What was broken",
            "",
        ]
        if self.broken_findings:
            lines += [
                f"- `{fid}`" + (f": {titles[fid]}" if titles.get(fid) else "")
                for fid in self.broken_findings
            ]
        else:
            lines.append("- Nothing: this was the healthy account, to show what good looks like.")
        lines += ["", "## Fixes applied", ""]
        if self.fixes_applied:
            lines += [f"{i}. `{fix}`" for i, fix in enumerate(self.fixes_applied, 1)]
        else:
            lines.append("- None.")
        lines += [
            "",
            "_Recorded by `sesfix demo` on a simulated AWS account; no real account was touched._",
            "",
        ]
        return "\n".join(lines)

    def write(self, path: str | Path) -> Path:
        """Write the Markdown to ``path`` (a directory gets a default file name)."""
        p = Path(path).expanduser()
        if p.is_dir():
            p = p / default_file_name(self)
        try:
            p.write_text(self.to_markdown(), encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"cannot write the record to {p}: {exc.strerror or exc}") from None
        return p


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
