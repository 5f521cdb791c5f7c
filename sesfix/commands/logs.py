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
    from sesfix.findings import Finding
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
    # SUPPRESS: given after the subcommand they win; not given, `sesfix --lang vi logs` and
    # `sesfix --demo seed logs` (the top-level flags) are not overwritten with None.
    parser.add_argument(
        "--lang",
        choices=["en", "vi"],
        default=argparse.SUPPRESS,
        help="language of the text (JSON field names never change)",
    )
    parser.add_argument(
        "--demo",
        nargs="?",
        const="seed",
        default=argparse.SUPPRESS,
        metavar="SCENARIO",
        help="read a practice scenario's sample log (with --check: and check its practice account)",
    )


def run(args: argparse.Namespace) -> int:
    import os

    from sesfix import logs
    from sesfix.commands.output import dump_json, safe_stream
    from sesfix.errors import UsageError
    from sesfix.locale import detect_language, set_language, t

    set_language(detect_language(getattr(args, "lang", None)))
    file = args.file
    demo = getattr(args, "demo", None)
    if demo and (file or args.from_railway):
        raise UsageError(t("cmdtext.logs.one_place"))
    if file and args.from_railway and not args.check:
        raise UsageError(
            t("cmdtext.logs.file_or_railway"), hint=t("cmdtext.logs.file_or_railway_hint")
        )
    if file is None and not args.from_railway and not demo and sys.stdin.isatty():
        raise UsageError(t("cmdtext.logs.nothing"), hint=t("cmdtext.logs.nothing_hint"))
    if args.lines < 1:
        raise UsageError(t("cmdtext.logs.lines"))
    if args.env_file and args.from_railway and args.check:
        raise UsageError(t("cmdtext.logs.two_sources"))

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
        if demo:
            analysis = logs.analyze_text(
                _sample_log(demo),
                secrets=scrub,
                source=t("logread.cli.demo_source", name=demo),
            )
        elif file and file != "-":
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
        out: dict[str, object] = analysis.to_json()
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


def _sample_log(name: str) -> str:
    """The practice scenario's sample log (what its app would have logged), or a usage
    error saying the scenario defines none."""
    from sesfix.demo import sample_log
    from sesfix.errors import UsageError
    from sesfix.locale import t

    text = sample_log(name)
    if not text.strip():
        raise UsageError(
            t("logread.cli.demo_no_sample", name=name), hint=t("logread.cli.demo_hint")
        )
    return text


def render_text(analysis: LogAnalysis, out: TextIO, correlation: list[str] | None) -> None:
    """The analysis for people. With a live check, its verdict comes first: the logs name a
    code, the live check names the cause."""
    from sesfix.locale import t
    from sesfix.logs import short_time

    json_part = (
        t("logread.cli.json_lines", count=f"{analysis.json_lines:,}") if analysis.json_lines else ""
    )
    out.write(
        t(
            "logread.cli.header",
            source=analysis.source,
            lines=f"{analysis.lines:,}",
            json=json_part,
        )
        + "\n\n"
    )
    if correlation:
        out.write(f"{t('logread.cli.live')}\n  {correlation[0]}\n\n")
    out.write(f"{analysis.summary()}\n\n")
    for name, status, detail in analysis.steps():
        out.write(f"  {_STATUS.get(status, status)} {name:<24} {detail}\n")
    if analysis.codes:
        out.write(f"\n{t('logread.cli.codes')}\n")
        for c in sorted(analysis.codes.values(), key=lambda c: c.first_line):
            out.write(f"  {c.code} — {c.when()}\n")
            if c.meaning:
                out.write(f"      {c.meaning}\n")
            if c.sample:
                out.write(f"      {t('logread.cli.line')} {c.first_line}: {c.sample}\n")
        if analysis.other_codes:
            out.write(t("logread.cli.further_codes", count=analysis.other_codes) + "\n")
    findings = analysis.findings()
    if findings:
        out.write(f"\n{t('logread.cli.findings')}\n")
        for f in findings:
            out.write(f"  {_SEV[str(f.severity)]} {f.id} — {_title(f)}\n")
            for e in f.evidence:
                out.write(f"      · {e}\n")
            if f.fixes:  # an ambiguous code has none: its evidence says what to run
                fixes = t("logread.cli.fixes", fixes=", ".join(f.fixes), first=f.fixes[0])
                out.write(f"      {fixes}\n")
    if analysis.timeline:
        out.write(f"\n{t('logread.cli.events')}\n")
        for event in list(analysis.timeline)[-8:]:
            when = short_time(event.at) if event.at else "     "
            kind = t(f"logread.event.{event.kind}")
            what = f"{kind} {event.code}" if event.code else kind
            out.write(f"  {when}  {t('logread.cli.line')} {event.line:<8} {what}\n")
    if correlation is not None:
        out.write(f"\n{t('logread.cli.correlation')}\n")
        rest = correlation[1:]
        if not rest:
            out.write(f"  · {t('logread.cli.nothing_to_link')}\n")
        for sentence in rest:
            out.write(f"  · {sentence}\n")
    elif not analysis.ok:
        out.write(f"\n{t('logread.cli.run_check')}\n")


def _title(finding: Finding) -> str:
    """The finding's title in the current language (a log-made title stays as made)."""
    from sesfix.locale import has, language, t

    key = f"{finding.catalogue_key()}.title"
    if finding.data.get("ambiguous") or language() == "en" or not has(key):
        return finding.title
    return t(key)
