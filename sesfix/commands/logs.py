"""``sesfix logs``: the guide's step 5 — where does the app's send path stop, and why?

Exit 0: the last send succeeded; 1: the send path stops (credentials, client, API error,
or no outcome); 2: usage; 3: inconclusive (none of the mail service's lines in the log).
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from sesfix.commands.common import Sources
    from sesfix.diagnosis.report import Report
    from sesfix.logs import LogAnalysis
    from sesfix.masking import Secret

HELP = "read the app's logs (file, stdin or Railway) and say where sending stops and why"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "file",
        nargs="?",
        metavar="FILE",
        help="the app's log file, or - for stdin (default: stdin when it is not a terminal)",
    )
    r = parser.add_argument_group("Railway")
    r.add_argument(
        "--from-railway",
        action="store_true",
        help="fetch the service's recent logs with `railway logs --json` (and, with --check, "
        "its variables with `railway variable list --json`)",
    )
    r.add_argument("-s", "--service", metavar="SERVICE", help="Railway service")
    r.add_argument("-e", "--environment", metavar="ENV", help="Railway environment")
    r.add_argument(
        "--lines",
        type=int,
        default=1000,
        metavar="N",
        help="how many recent lines to fetch from Railway (default 1000)",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="also run the live diagnosis on the app's variables and link it to the logs",
    )
    parser.add_argument("--env-file", metavar="PATH", help="with --check: the app's dotenv file")
    parser.add_argument(
        "--operator-profile", metavar="NAME", help="with --check: AWS profile allowed to read IAM"
    )
    parser.add_argument("--domain", metavar="DOMAIN", help="with --check: the sender's domain")
    parser.add_argument(
        "--json", action="store_true", help="print one JSON object (schema sesfix.logs/1)"
    )


def run(args: argparse.Namespace) -> int:
    import os

    from sesfix import logs
    from sesfix.commands.output import dump_json, safe_stream
    from sesfix.errors import UsageError

    file = args.file
    if file and args.from_railway and not args.check:
        raise UsageError(
            "choose one place to read logs from: FILE or --from-railway",
            hint="(with --check, --from-railway and FILE read variables from Railway and logs "
            "from FILE)",
        )
    if file is None and not args.from_railway and sys.stdin.isatty():
        raise UsageError(
            "no log to read",
            hint="give a FILE, - for stdin (paste, then Ctrl-D), or --from-railway",
        )
    if args.lines < 1:
        raise UsageError("--lines must be at least 1")
    if args.env_file and args.from_railway and args.check:
        raise UsageError(
            "choose one source of the app's variables, not --env-file and --from-railway"
        )

    sources: Sources | None = None
    scrub: list[Secret] = []
    if args.check:
        from sesfix.commands.common import resolve_sources

        if not args.operator_profile:
            args.operator_profile = os.environ.get("SESFIX_OPERATOR_PROFILE")
        sources = resolve_sources(args)
        scrub = [
            s
            for s in (sources.settings.secret_access_key, sources.settings.session_token)
            if s is not None
        ]
    try:
        if file and file != "-":
            analysis = logs.analyze_file(file, secrets=scrub)
        elif file == "-" or not args.from_railway:
            analysis = logs.analyze(
                logs.iter_lines(sys.stdin.buffer), secrets=scrub, source="stdin"
            )
        else:
            from sesfix import railway

            lines = railway.fetch_logs(args.service, args.environment, args.lines)
            where = f"railway logs (service {args.service})" if args.service else "railway logs"
            analysis = logs.analyze(lines, secrets=scrub, source=where)

        report: Report | None = None
        correlation: list[str] = []
        if sources is not None:
            from sesfix.diagnosis.engine import DiagnosisOptions, diagnose

            report = diagnose(sources.settings, DiagnosisOptions(operator=sources.operator))
            correlation = logs.correlate(analysis, report)
    finally:
        if sources is not None:
            sources.close()

    if args.json:
        out = analysis.to_json()
        if report is not None:
            out["check"] = report.to_json()
            out["correlation"] = correlation
        dump_json(out, sys.stdout)
    else:
        render_text(analysis, safe_stream(sys.stdout), correlation if report is not None else None)
    return exit_code(analysis)


def exit_code(analysis: LogAnalysis) -> int:
    stage = analysis.stage
    if stage == "success":
        return 0
    if stage == "no_markers":
        return 3
    return 1


_STATUS = {"✓": "✓", "✗": "✗", "?": "?", "·": "·"}
_SEV = {"error": "✗", "warning": "!", "info": "i"}


def render_text(analysis: LogAnalysis, out: TextIO, correlation: list[str] | None) -> None:
    from sesfix.logs import short_time

    json_part = f", {analysis.json_lines:,} JSON" if analysis.json_lines else ""
    out.write(f"sesfix logs · {analysis.source} · {analysis.lines:,} lines{json_part}\n\n")
    out.write(f"{analysis.summary()}\n\n")
    for name, status, detail in analysis.steps():
        out.write(f"  {_STATUS.get(status, status)} {name:<24} {detail}\n")
    if analysis.codes:
        out.write("\nAWS error codes in the log:\n")
        for c in sorted(analysis.codes.values(), key=lambda c: c.first_line):
            out.write(f"  {c.code} — {c.when()}\n")
            if c.meaning:
                out.write(f"      {c.meaning}\n")
            if c.sample:
                out.write(f"      line {c.first_line}: {c.sample}\n")
        if analysis.other_codes:
            out.write(f"  (and {analysis.other_codes} sightings of further codes)\n")
    findings = analysis.findings()
    if findings:
        out.write("\nWhat sesfix check calls it:\n")
        for f in findings:
            out.write(f"  {_SEV[str(f.severity)]} {f.id} — {f.title}\n")
            for e in f.evidence:
                out.write(f"      · {e}\n")
            if f.fixes:
                out.write(f"      fixes: {', '.join(f.fixes)}  (sesfix fix {f.fixes[0]})\n")
    if analysis.timeline:
        out.write("\nLast events:\n")
        for event in list(analysis.timeline)[-8:]:
            when = short_time(event.at) if event.at else "     "
            what = f"{event.kind} {event.code}" if event.code else event.kind
            out.write(f"  {when}  line {event.line:<8} {what}\n")
    if correlation is not None:
        out.write("\nLogs and the live check:\n")
        if not correlation:
            out.write("  · nothing in the logs to link to the live check\n")
        for sentence in correlation:
            out.write(f"  · {sentence}\n")
    elif not analysis.ok:
        out.write("\nRun with --check to link this to a live diagnosis of the app's variables.\n")
