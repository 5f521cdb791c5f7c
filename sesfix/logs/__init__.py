"""Step 5 of the guide: read the app's logs and say where the send path stops, and why.

The app (the guide's Node mail service) logs four markers along its send path::

    ❌ [Email Service - SES] AWS credentials not configured...   (variables missing)
    🔧 [Email Service - SES] Initializing AWS SES client...        (credentials loaded)
    📤 [Email Service - SES] Sending email via AWS SES...           (API call starts)
    ✅ [Email Service - SES] Email sent successfully                (API call succeeded)

and on failure ``❌ [Email Service - SES] Error: { message: "...", code: "..." }``, often
over several lines. Besides those, any AWS error code the SDKs print (botocore's
``An error occurred (Code) when calling ...``, the JS SDK's ``Code: message``, Java's
``Error Code: Code``, XML ``<Code>``, JSON ``"code": "..."``) counts.

Lines may be plain, JSON (``railway logs --json``, pino, bunyan), timestamped or not,
coloured with ANSI escapes, prefixed with emoji. :func:`analyze` reads them one at a time
and keeps only counters and a bounded sample, so a 100 MB log costs constant memory.

Each error code becomes the finding the live diagnosis would report for it (same ids, see
:data:`CODE_FINDINGS`), with evidence "seen in the logs …". :func:`correlate` links an
analysis to a live :class:`~sesfix.diagnosis.report.Report`. Everything echoed from a log
passes :func:`sesfix.masking.redact` (key IDs masked) and a secret-shaped-token scrub.
"""

from __future__ import annotations

from sesfix.logs.analysis import CodeSighting, Event, LogAnalysis, Sighting, short_time
from sesfix.logs.live import correlate
from sesfix.logs.patterns import (
    CODE_FINDINGS,
    MAX_CODES,
    MAX_LINE,
    SCHEMA,
    STAGE_TEXT,
    finding_id_for,
)
from sesfix.logs.reader import Analyzer, analyze, analyze_file, analyze_text, iter_lines, scrub

__all__ = [
    "CODE_FINDINGS",
    "MAX_CODES",
    "MAX_LINE",
    "SCHEMA",
    "STAGE_TEXT",
    "Analyzer",
    "CodeSighting",
    "Event",
    "LogAnalysis",
    "Sighting",
    "analyze",
    "analyze_file",
    "analyze_text",
    "correlate",
    "finding_id_for",
    "iter_lines",
    "scrub",
    "short_time",
]
