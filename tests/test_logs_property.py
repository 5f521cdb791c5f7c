"""Property tests of sesfix.logs: any text is read without error, shapes do not change the
answer, secrets never come back out; and a large log streams in constant memory."""

from __future__ import annotations

import io
import json
import time
import tracemalloc
from collections.abc import Iterator

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sesfix import logs

STAGES = {
    "no_markers",
    "credentials_not_loaded",
    "client_not_initialised",
    "no_outcome",
    "api_failed",
    "success",
}
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
KEY_ID = "AKIAIOSFODNN7EXAMPLE"

EVENTS = [
    "❌ [Email Service - SES] AWS credentials not configured...",
    "🔧 [Email Service - SES] Initializing AWS SES client...",
    "📤 [Email Service - SES] Sending email via AWS SES...",
    "✅ [Email Service - SES] Email sent successfully",
    "❌ [Email Service - SES] Error: InvalidClientTokenId",
    "❌ [Email Service - SES] Error: SignatureDoesNotMatch",
    "botocore.exceptions.ClientError: An error occurred (AccessDenied) when calling the "
    "SendEmail operation: not authorized",
    "MessageRejected: Email address is not verified.",
    "GET /health 200 3ms",
    "listening on port 3000",
]

quick = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@quick
@given(st.lists(st.text(max_size=200), max_size=30))
def test_any_text_is_read(lines: list[str]) -> None:
    a = logs.analyze(lines)
    assert a.lines == len(lines)
    assert a.stage in STAGES
    json.dumps(a.to_json())
    a.summary()
    a.findings()


@quick
@given(st.text(max_size=2000))
def test_any_pasted_text_is_read(text: str) -> None:
    a = logs.analyze_text(text)
    assert a.stage in STAGES


@quick
@given(st.binary(max_size=2000))
def test_any_bytes_are_read(data: bytes) -> None:
    a = logs.analyze(logs.iter_lines(io.BytesIO(data)))
    assert a.stage in STAGES


@quick
@given(
    st.lists(st.sampled_from(EVENTS), min_size=1, max_size=12),
    st.lists(st.integers(0, 59), min_size=12, max_size=12),
)
def test_plain_json_and_colour_give_the_same_answer(events: list[str], minutes: list[int]) -> None:
    plain = [f"2026-11-29T10:{m:02d}:00Z {e}" for e, m in zip(events, minutes, strict=False)]
    coloured = [f"\x1b[1;31m{line}\x1b[0m" for line in plain]
    railway = [
        json.dumps(
            {"message": e, "timestamp": f"2026-11-29T10:{m:02d}:00Z", "severity": "info"},
            ensure_ascii=bool(m % 2),
        )
        for e, m in zip(events, minutes, strict=False)
    ]
    answers = []
    for shape in (plain, coloured, railway):
        a = logs.analyze(shape)
        answers.append(
            (
                a.stage,
                a.failing_code,
                {k: (v.count, logs.short_time(v.last_at)) for k, v in a.codes.items()},
                [f.id for f in a.findings()],
            )
        )
    assert answers[0] == answers[1] == answers[2]


@quick
@given(st.lists(st.text(max_size=80), max_size=20), st.sampled_from(EVENTS[:8]))
def test_secrets_never_come_back(noise: list[str], event: str) -> None:
    lines = [*noise, f"{event} {KEY_ID} {SECRET}", f"{SECRET}: {event}"]
    out = json.dumps(logs.analyze(lines).to_json(), ensure_ascii=False)
    assert SECRET not in out and KEY_ID not in out


@quick
@given(st.lists(st.text(alphabet=st.characters(codec="ascii"), max_size=80), max_size=20))
def test_the_last_success_wins_over_noise(noise: list[str]) -> None:
    lines = [*noise, "✅ [Email Service - SES] Email sent successfully"]
    assert logs.analyze(lines).stage == "success"


def _big_log(target_bytes: int) -> Iterator[str]:
    size = 0
    i = 0
    while size < target_bytes:
        i += 1
        if i % 5000 == 0:
            line = json.dumps(
                {
                    "message": "❌ [Email Service - SES] Error: InvalidClientTokenId",
                    "timestamp": f"2026-11-29T10:{(i // 5000) % 60:02d}:00Z",
                }
            )
        elif i % 3 == 0:
            line = json.dumps({"message": f"GET /api/items/{i} 200 12ms", "severity": "info"})
        else:
            line = f"2026-11-29T10:42:00.000Z info: request {i} handled in 14ms, cache hit 0.93"
        size += len(line) + 1
        yield line


def test_twenty_megabytes_stream_in_constant_memory() -> None:
    target = 20 * 1024 * 1024
    tracemalloc.start()
    try:
        started = time.perf_counter()
        a = logs.analyze(_big_log(target))
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert a.lines > 200_000
    assert a.codes["InvalidClientTokenId"].count == a.lines // 5000
    # Constant memory: far below the size of the log (counters and a bounded timeline).
    assert peak < 2 * 1024 * 1024, peak
    assert elapsed < 60, elapsed
