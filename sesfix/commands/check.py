"""``sesfix check``: all five steps, headless. Exit 0 healthy, 1 error finding, 2 usage."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, TextIO

from sesfix.commands.common import add_source_arguments, resolve_sources

if TYPE_CHECKING:
    from sesfix.aws.gateway import CallFinished, CallStarted
    from sesfix.diagnosis.report import Report

HELP = "diagnose why the app cannot send through SES (all five steps)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--json", action="store_true", help="print one JSON object (schema sesfix.check/1)"
    )
    parser.add_argument(
        "-q", "--quiet", action="store_true", help="no progress lines on stderr while probing"
    )
    add_source_arguments(parser)


def run(args: argparse.Namespace) -> int:
    from sesfix.diagnosis.engine import DiagnosisOptions, diagnose

    with resolve_sources(args) as sources:
        listeners = []
        if not args.quiet and sys.stderr.isatty():
            listeners.append(_progress(sys.stderr))
        report = diagnose(
            sources.settings, DiagnosisOptions(operator=sources.operator), listeners=listeners
        )
    if args.json:
        json.dump(report.to_json(), sys.stdout, indent=2, default=str)
        sys.stdout.write("\n")
    else:
        render_text(report, sys.stdout)
    return 0 if report.healthy else 1


def _progress(stream: TextIO):  # type: ignore[no-untyped-def]
    import threading

    lock = threading.Lock()

    def listener(event: CallStarted | CallFinished) -> None:
        from sesfix.aws.gateway import CallFinished

        if isinstance(event, CallFinished):
            r = event.record
            with lock:
                stream.write(
                    f"\r\x1b[K  {r.call} ({r.identity}, {r.region}) → {r.outcome} {r.ms} ms"
                )
                stream.flush()

    return listener


_MARK = {"pass": "✓", "warning": "!", "fail": "✗", "unknown": "?"}
_SEV = {"error": "✗", "warning": "!", "info": "i"}


def render_text(report: Report, out: TextIO) -> None:
    if out.isatty():
        out.write("\r\x1b[K")
    ctx = report.context
    out.write(
        f"sesfix check · source: {report.source} · operator: {report.operator} · "
        f"{report.duration_ms / 1000:.2f} s\n"
    )
    who = f"key {ctx.key_id_masked}"
    if ctx.app_user:
        who += f" of IAM user {ctx.app_user}"
    if ctx.app_account:
        who += f" (account {ctx.app_account})"
    out.write(f"app: {who}; region {ctx.region or '?'}; sender {ctx.sender or '?'}\n\n")
    for step in report.steps:
        out.write(f"Step {step.number}  {step.name:<20} {_MARK[step.status]} {step.status}\n")
        for p in step.probes:
            out.write(
                f"    {p.call:<44} {p.identity:<8} {p.region:<15} {p.outcome:<24} {p.ms:>5} ms\n"
                f"      $ {p.cli}\n"
            )
        for f in report.findings_for(step.number):
            out.write(f"  {_SEV[str(f.severity)]} {f.id} — {f.title}\n")
            for e in f.evidence:
                out.write(f"      · {e}\n")
            if f.fixes:
                out.write(f"      fixes: {', '.join(f.fixes)}  (sesfix fix {f.fixes[0]})\n")
        out.write("\n")
    verdict = "healthy: the app can send" if report.healthy else (
        f"{len(report.errors)} error(s): " + ", ".join(dict.fromkeys(f.id for f in report.errors))
    )  # fmt: skip
    out.write(f"Verdict: {verdict}\n")
