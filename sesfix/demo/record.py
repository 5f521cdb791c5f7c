"""The onboarding record: what a practice run broke, what the learner fixed, how long it took.

It holds finding ids, fix ids, titles and times only — never a key, a secret or a variable's
value — so it is safe to show, keep and share. :meth:`OnboardingRecord.write` saves it as
Markdown where the learner asks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sesfix.errors import UsageError


def now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class OnboardingRecord:
    scenario: str
    description: str
    started_at: datetime
    finished_at: datetime
    #: Error-severity finding ids of the first diagnosis, in the order reported.
    broken_findings: list[str] = field(default_factory=list)
    #: Fix ids the learner applied, in order (a fix applied twice appears twice).
    fixes_applied: list[str] = field(default_factory=list)
    healthy: bool = False

    @property
    def duration(self) -> timedelta:
        return max(self.finished_at - self.started_at, timedelta(0))

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
            self.description,
            "",
            f"- Started: {_stamp(self.started_at)}",
            f"- Finished: {_stamp(self.finished_at)}",
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
    return f"sesfix-practice-{record.scenario}-{record.finished_at:%Y%m%d-%H%M%S}.md"


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
