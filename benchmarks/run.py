#!/usr/bin/env python
"""Time to verdict: sesfix against the guide's AWS CLI procedure; sesfix's start-up.

    pip install -e '.[bench]'                        # moto + the AWS CLI
    python benchmarks/run.py                         # 120 and 30 ms per request
    python benchmarks/run.py --delay-ms 120 --runs 9 --cli-runs 3
    python benchmarks/run.py --timeline              # + one run's requests, in time order
    python benchmarks/run.py --json results.json     # + the figures as JSON

Everything runs on loopback: a simulated account (moto's server, IAM authentication
enforced) behind a proxy (``tests/support/proxy.py``) that adds a fixed delay to every
HTTP request: 120 ms is about Vietnam to us-east-1, 30 ms about Singapore. Both sides
get a temporary HOME, AWS config and credentials files (never the user's ``~/.aws``) and
``AWS_ENDPOINT_URL`` pointing at the proxy.

The incident: the app's IAM user has only AmazonS3FullAccess, and the sender's domain
is verified only in us-east-1 while the app sends from ap-southeast-1.

* **sesfix**: ``sesfix check --json --env-file app.env --operator-profile ops``, wall time
  from process launch to exit; the verdict must name both causes or the run is refused.
* **AWS CLI procedure**: what the guide's reader types, one command at a time: who is
  the caller, the user's attached / inline / group policies, its access keys,
  ``ses get-send-quota``, then ``ses get-identity-verification-attributes`` in every SES
  region. Reading and typing time is not counted: only the commands' own run time.
* **floor**: start-up (``sesfix check --help``) + 3 dependent round trips (who is the
  caller -> what may that user do -> what do those policies say) x the delay.
* **start-up**: ``sesfix --version``, ``sesfix check --help``, the wizard's first screen
  drawn headless (``make_app().run_test()``), each from process launch; and the peak
  RSS of a diagnosis (``wait4``'s ``ru_maxrss`` of the ``sesfix check`` process).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sesfix import __version__  # noqa: E402
from sesfix.aws import regions  # noqa: E402
from sesfix.demo.account import S3_FULL, Scenario, SimulatedAccount  # noqa: E402
from tests.support.proxy import DelayProxy  # noqa: E402

SCENARIO = Scenario(
    "bench-s3-only-wrong-region",
    "S3-only IAM user; the domain is verified only in us-east-1, the app sends from "
    "ap-southeast-1.",
    managed_policies=(S3_FULL,),
    region="ap-southeast-1",
    verified_regions=("us-east-1",),
    expected_errors=("iam.ses_permission_missing", "region.identity_not_in_region"),
)

#: who is the caller -> what may that user do -> what do those policies say
CHAIN_LENGTH = 3

TARGETS = {
    "ratio_min": 10.0,  # sesfix at least 10x faster than the CLI procedure (at 120 ms)
    "floor_ratio_max": 2.0,  # sesfix within 2x of the floor (at 120 ms)
    "version_s": 0.25,
    "wizard_s": 1.0,
    "rss_mb": 150.0,
}
TARGET_DELAY_MS = 120


# --- processes -------------------------------------------------------------------------------


@dataclass
class Timed:
    seconds: float
    returncode: int
    stdout: str
    maxrss_kb: int
    launched: float  # time.monotonic() just before the launch


USAGE_LAUNCHER = """
import resource, subprocess, sys
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
r = resource.getrusage(resource.RUSAGE_CHILDREN)
print(r.ru_maxrss, r.ru_utime + r.ru_stime)
"""


def child_usage(cmd: Sequence[str], env: dict[str, str], cwd: Path) -> tuple[int, float]:
    """Peak RSS (KB) and CPU time (user + system, s) of ``cmd`` as its parent sees them.

    Through a small launcher: Linux carries the RSS high-water mark across fork + exec,
    so a child of this (large) benchmark process would report the benchmark's own size.
    """
    out = subprocess.run(
        [sys.executable, "-c", USAGE_LAUNCHER, *cmd],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
    )
    rss, cpu = out.stdout.split()
    return int(rss), float(cpu)


def run_timed(cmd: Sequence[str], env: dict[str, str], cwd: Path) -> Timed:
    """Run ``cmd`` to completion: wall time from launch to exit.

    (``maxrss_kb`` is wait4's figure, inflated by the parent's size: see :func:`child_usage`.)
    """
    with tempfile.TemporaryFile() as out:
        launched = time.monotonic()
        start = time.perf_counter()
        proc = subprocess.Popen(list(cmd), env=env, cwd=cwd, stdout=out, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read().decode("utf-8", "replace")
    return Timed(seconds, proc.returncode, text, int(usage.ru_maxrss), launched)


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


# --- the workspace both sides use ----------------------------------------------------------------


@dataclass
class Workspace:
    root: Path
    user: str
    domain: str
    region: str

    @classmethod
    def build(cls, account: SimulatedAccount, root: Path) -> Workspace:
        sc = account.scenario
        op = account.operator
        assert sc is not None and op is not None and op.credentials is not None
        env = account.app_env
        (root / "home").mkdir()
        _write_private(
            root / "credentials",
            "[ops]\n"
            f"aws_access_key_id = {op.credentials.access_key_id}\n"
            f"aws_secret_access_key = {op.credentials.secret_access_key.reveal()}\n"
            "[app]\n"
            f"aws_access_key_id = {env['AWS_ACCESS_KEY_ID']}\n"
            f"aws_secret_access_key = {env['AWS_SECRET_ACCESS_KEY']}\n",
        )
        _write_private(
            root / "config",
            "[profile ops]\nregion = us-east-1\noutput = json\n"
            f"[profile app]\nregion = {sc.region}\noutput = json\n",
        )
        _write_private(root / "app.env", "".join(f"{k}={v}\n" for k, v in env.items()))
        return cls(root, sc.user, sc.domain, sc.region)

    def environ(self, endpoint: str | None) -> dict[str, str]:
        """A clean environment: nothing of the caller's AWS_* world, private HOME."""
        home = self.root / "home"
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "LANG": "C.UTF-8",
            "HOME": str(home),
            "AWS_CONFIG_FILE": str(self.root / "config"),
            "AWS_SHARED_CREDENTIALS_FILE": str(self.root / "credentials"),
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_PAGER": "",
            "XDG_STATE_HOME": str(home / ".local/state"),
            "XDG_CONFIG_HOME": str(home / ".config"),
            "XDG_CACHE_HOME": str(home / ".cache"),
            "XDG_DATA_HOME": str(home / ".local/share"),
            "SESFIX_STATE_DIR": str(home / ".local/state/sesfix"),
            "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
        }
        if endpoint:
            env["AWS_ENDPOINT_URL"] = endpoint
        return env


def _write_private(path: Path, text: str) -> None:
    path.write_text(text)
    path.chmod(0o600)


# --- the two sides ---------------------------------------------------------------------------


def sesfix_command() -> list[str]:
    """The installed console script next to this interpreter, as a user runs it."""
    script = Path(sys.executable).with_name("sesfix")
    return [str(script)] if script.exists() else [sys.executable, "-m", "sesfix"]


@dataclass
class Step:
    """One request of a sesfix run, seconds after the process was launched."""

    sent: float  # arrived at the proxy
    label: str
    region: str
    attempt: int
    answered: float  # the answer fully written back (after the delay and the target)
    target_s: float  # time the simulated account itself took


@dataclass
class SesfixRun:
    seconds: float
    requests: int
    maxrss_kb: int
    cpu_s: float | None
    duplicates: list[str]
    timeline: list[Step]


def run_sesfix(ws: Workspace, proxy: DelayProxy, *, measure_usage: bool = False) -> SesfixRun:
    proxy.reset()
    cmd = [
        *sesfix_command(),
        "check",
        "--json",
        "--quiet",
        "--env-file",
        str(ws.root / "app.env"),
        "--operator-profile",
        "ops",
    ]
    t = run_timed(cmd, ws.environ(proxy.url), ws.root)
    cpu: float | None = None
    if measure_usage:
        t.maxrss_kb, cpu = child_usage(cmd, ws.environ(proxy.url), ws.root)
    try:
        report = json.loads(t.stdout)
    except json.JSONDecodeError:
        raise SystemExit(f"sesfix check printed no JSON (exit {t.returncode})") from None
    errors = {f["id"] for f in report["findings"] if f["severity"] == "error"}
    missing = set(SCENARIO.expected_errors) - errors
    if missing or t.returncode != 1:
        raise SystemExit(
            f"sesfix's verdict is wrong (exit {t.returncode}): missing {sorted(missing)}, "
            f"got {sorted(errors)} — a fast wrong answer does not count"
        )
    seen: dict[tuple[str, str, str, str], int] = {}
    for step in report["steps"]:
        for p in step["probes"]:
            key = (p["call"], p["identity"], p["region"], p["cli"])
            seen[key] = seen.get(key, 0) + 1
    duplicates = [f"{k[0]} as {k[1]} in {k[2]} x{n}" for k, n in seen.items() if n > 1]
    timeline = [
        Step(
            r.started - t.launched,
            r.label,
            r.region,
            r.attempt,
            proxy.answered.get(r.seq, float("nan")) - t.launched,
            proxy.upstream_seconds.get(r.seq, float("nan")),
        )
        for r in proxy.snapshot()
    ]
    return SesfixRun(t.seconds, proxy.count, t.maxrss_kb, cpu, duplicates, timeline)


def aws_cli() -> list[str]:
    here = Path(sys.executable).with_name("aws")
    found = str(here) if here.exists() else shutil.which("aws")
    if not found:
        raise SystemExit("the AWS CLI is not installed: pip install -e '.[bench]'")
    return [found]


def cli_procedure(ws: Workspace) -> list[list[str]]:
    """The guide's commands, in the order a reader runs them (user name filled in later)."""
    iam = ["--user-name", ws.user, "--profile", "ops"]
    steps = [
        ["sts", "get-caller-identity", "--profile", "app"],
        ["iam", "list-attached-user-policies", *iam],
        ["iam", "list-user-policies", *iam],
        ["iam", "list-groups-for-user", *iam],
        ["iam", "list-access-keys", *iam],
        ["ses", "get-send-quota", "--region", ws.region, "--profile", "app"],
    ]
    for region in regions.SES_REGIONS:
        steps.append(
            [
                "ses",
                "get-identity-verification-attributes",
                "--identities",
                ws.domain,
                "--region",
                region,
                "--profile",
                "ops",
            ]
        )
    return steps


@dataclass
class CliRun:
    seconds: float
    commands: int
    requests: int


def run_cli(ws: Workspace, proxy: DelayProxy) -> CliRun:
    proxy.reset()
    aws = aws_cli()
    env = ws.environ(proxy.url)
    total = 0.0
    outputs: list[tuple[list[str], Timed]] = []
    for args in cli_procedure(ws):
        t = run_timed([*aws, *args], env, ws.root)
        total += t.seconds
        outputs.append((args, t))
    _check_cli_verdict(ws, outputs)
    return CliRun(total, len(outputs), proxy.count)


def _check_cli_verdict(ws: Workspace, outputs: list[tuple[list[str], Timed]]) -> None:
    """The CLI side must really reach the same two conclusions, or its time means nothing."""
    attached: list[str] | None = None
    verified: list[str] = []
    for args, t in outputs:
        if args[:2] == ["ses", "get-send-quota"]:
            continue  # the app is refused here (AccessDenied): that is the symptom
        if t.returncode != 0:
            raise SystemExit(f"aws {' '.join(args[:2])} failed (exit {t.returncode})")
        data = json.loads(t.stdout or "{}")
        if args[1] == "list-attached-user-policies":
            attached = [p["PolicyName"] for p in data.get("AttachedPolicies", [])]
        if args[1] == "get-identity-verification-attributes":
            status = data.get("VerificationAttributes", {}).get(ws.domain, {})
            if status.get("VerificationStatus") == "Success":
                verified.append(args[args.index("--region") + 1])
    if attached is None or any("SES" in name for name in attached):
        raise SystemExit(f"the CLI procedure did not see the missing permission: {attached}")
    if ws.region in verified or not verified:
        raise SystemExit(f"the CLI procedure did not find the other region: {verified}")


# --- start-up --------------------------------------------------------------------------------

WIZARD_PROBE = """
import asyncio, sys
from sesfix.tui.app import make_app

async def main():
    app = make_app(settings=None, operator=None, lang="en")
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        sys.stdout.write("drawn " + type(app.screen).__name__ + "\\n")
        sys.stdout.flush()
        app.exit()

asyncio.run(main())
"""


def wizard_first_screen(ws: Workspace) -> float | None:
    """Seconds from launch until the first screen is mounted and painted; None if absent."""
    env = ws.environ(None)
    check = subprocess.run(
        [sys.executable, "-c", "from sesfix.tui.app import make_app"],
        env=env,
        capture_output=True,
        cwd=ws.root,
    )
    if check.returncode != 0:
        return None
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", WIZARD_PROBE],
        env=env,
        cwd=ws.root,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    seconds = time.perf_counter() - start
    proc.stdout.read()
    proc.wait(timeout=30)
    return seconds if line.startswith("drawn") else None


@dataclass
class Startup:
    version_s: float
    help_s: float
    wizard_s: float | None
    runs: int


def measure_startup(ws: Workspace, runs: int) -> Startup:
    env = ws.environ(None)
    cmd = sesfix_command()
    version = [run_timed([*cmd, "--version"], env, ws.root).seconds for _ in range(runs)]
    helps = [run_timed([*cmd, "check", "--help"], env, ws.root).seconds for _ in range(runs)]
    wizard: list[float] = []
    for _ in range(runs):
        w = wizard_first_screen(ws)
        if w is None:
            break
        wizard.append(w)
    return Startup(median(version), median(helps), median(wizard) if wizard else None, runs)


# --- the run ---------------------------------------------------------------------------------


@dataclass
class DelayResult:
    delay_ms: int
    sesfix_s: float
    sesfix_range: tuple[float, float]
    sesfix_requests: list[int]
    cli_s: float | None
    cli_range: tuple[float, float] | None
    cli_commands: int
    cli_requests: list[int]
    floor_s: float
    ratio: float | None
    floor_ratio: float
    duplicates: list[str]
    maxrss_mb: float
    cpu_s: float
    timeline: list[Step] = field(default_factory=list)


def bench_delay(
    ws: Workspace,
    account: SimulatedAccount,
    delay_ms: int,
    runs: int,
    cli_runs: int,
    startup: Startup,
) -> DelayResult:
    with DelayProxy(account.endpoint, delay_ms / 1000) as proxy:
        # Warm the disk cache and moto's lazily built state; measure peak RSS and CPU.
        usage = run_sesfix(ws, proxy, measure_usage=True)
        sruns = [run_sesfix(ws, proxy) for _ in range(runs)]
        cruns = [run_cli(ws, proxy) for _ in range(cli_runs)]
    s_times = [r.seconds for r in sruns]
    s_med = median(s_times)
    c_times = [r.seconds for r in cruns]
    c_med = median(c_times) if cruns else None
    floor = startup.help_s + CHAIN_LENGTH * delay_ms / 1000
    dup = sorted({d for r in sruns for d in r.duplicates})
    typical = min(sruns, key=lambda r: abs(r.seconds - s_med))
    return DelayResult(
        delay_ms=delay_ms,
        sesfix_s=s_med,
        sesfix_range=(min(s_times), max(s_times)),
        sesfix_requests=sorted({r.requests for r in sruns}),
        cli_s=c_med,
        cli_range=(min(c_times), max(c_times)) if cruns else None,
        cli_commands=cruns[0].commands if cruns else len(cli_procedure(ws)),
        cli_requests=sorted({r.requests for r in cruns}),
        floor_s=floor,
        ratio=(c_med / s_med) if c_med else None,
        floor_ratio=s_med / floor,
        duplicates=dup,
        maxrss_mb=usage.maxrss_kb / 1024,
        cpu_s=usage.cpu_s or float("nan"),
        timeline=typical.timeline,
    )


def _fmt_counts(values: list[int]) -> str:
    return "/".join(str(v) for v in values) if values else "-"


def render(results: list[DelayResult], startup: Startup, meta: dict[str, Any]) -> str:
    lines = [
        f"sesfix benchmark · {meta['date']} · {meta['cores']} cores · load {meta['load']} "
        f"-> {meta['load_after']} · sesfix {meta['sesfix']} · {meta['aws_cli']}",
        f"incident: {SCENARIO.description}",
        f"medians of {meta['runs']} sesfix runs and {meta['cli_runs']} CLI procedure runs; "
        f"floor = start-up ({startup.help_s:.2f} s) + {CHAIN_LENGTH} round trips x delay",
        "",
        "Time to verdict",
        f"{'delay':>8}  {'sesfix':>16}  {'req':>4}  {'AWS CLI procedure':>20}  {'cmds':>4}  "
        f"{'req':>4}  {'ratio':>6}  {'floor':>6}  {'vs floor':>8}",
    ]
    for r in results:
        s = f"{r.sesfix_s:.2f} s ({r.sesfix_range[0]:.2f}-{r.sesfix_range[1]:.2f})"
        if r.cli_s is not None and r.cli_range is not None:
            c = f"{r.cli_s:.1f} s ({r.cli_range[0]:.1f}-{r.cli_range[1]:.1f})"
            ratio = f"{r.ratio:.1f}x"
        else:
            c, ratio = "not run", "-"
        lines.append(
            f"{r.delay_ms:>5} ms  {s:>16}  {_fmt_counts(r.sesfix_requests):>4}  {c:>20}  "
            f"{r.cli_commands:>4}  {_fmt_counts(r.cli_requests):>4}  {ratio:>6}  "
            f"{r.floor_s:>4.2f} s  {r.floor_ratio:>7.2f}x"
        )
    for r in results:
        if any(step.label == "iam:GetPolicyVersion" for step in r.timeline):
            lines.append(
                f"  at {r.delay_ms} ms: the simulator cannot answer iam:SimulatePrincipalPolicy, "
                "so sesfix reads the policy documents (GetPolicy -> GetPolicyVersion): its own "
                f"chain is {CHAIN_LENGTH + 1} round trips; vs start-up + {CHAIN_LENGTH + 1} x delay: "
                f"{r.sesfix_s / (startup.help_s + (CHAIN_LENGTH + 1) * r.delay_ms / 1000):.2f}x"
            )
    if float(meta["load_max"]) > (meta["cores"] or 1):
        lines.append(
            f"  warning: load average reached {meta['load_max']} on {meta['cores']} cores: "
            "other work shared the CPU, so these timings are noisy (CPU time is less so)"
        )
    wizard = f"{startup.wizard_s:.2f} s" if startup.wizard_s is not None else "not measured yet"
    rss = max(r.maxrss_mb for r in results)
    lines += [
        "",
        f"Start-up (median of {startup.runs})",
        f"  sesfix --version          {startup.version_s:.3f} s",
        f"  sesfix check --help       {startup.help_s:.3f} s",
        f"  wizard first screen       {wizard}",
        f"  diagnosis peak RSS        {rss:.0f} MB",
        "  diagnosis CPU (user+sys)  "
        + ", ".join(f"{r.cpu_s:.2f} s at {r.delay_ms} ms" for r in results),
        "",
        "Targets",
    ]
    at = next((r for r in results if r.delay_ms == TARGET_DELAY_MS), None)
    checks: list[tuple[str, bool | None, str]] = []
    if at is not None:
        checks.append(
            (
                f">= {TARGETS['ratio_min']:.0f}x faster than the CLI at {TARGET_DELAY_MS} ms",
                None if at.ratio is None else at.ratio >= TARGETS["ratio_min"],
                "-" if at.ratio is None else f"{at.ratio:.1f}x",
            )
        )
        checks.append(
            (
                f"within {TARGETS['floor_ratio_max']:.0f}x of the floor at {TARGET_DELAY_MS} ms",
                at.floor_ratio <= TARGETS["floor_ratio_max"],
                f"{at.floor_ratio:.2f}x",
            )
        )
    checks += [
        (
            f"sesfix --version < {TARGETS['version_s']} s",
            startup.version_s < TARGETS["version_s"],
            f"{startup.version_s:.3f} s",
        ),
        (
            f"wizard first screen < {TARGETS['wizard_s']:.0f} s",
            None if startup.wizard_s is None else startup.wizard_s < TARGETS["wizard_s"],
            wizard,
        ),
        (
            f"diagnosis peak RSS < {TARGETS['rss_mb']:.0f} MB",
            rss < TARGETS["rss_mb"],
            f"{rss:.0f} MB",
        ),
        (
            "no call made twice (call, identity, region, params)",
            not any(r.duplicates for r in results),
            ", ".join(d for r in results for d in r.duplicates) or "none",
        ),
    ]
    for name, ok, value in checks:
        mark = {True: "met", False: "MISSED", None: "not measured"}[ok]
        lines.append(f"  {name:<56} {value:>12}  {mark}")
    return "\n".join(lines)


def render_timeline(r: DelayResult) -> str:
    lines = [
        "",
        f"Requests of one sesfix run at {r.delay_ms} ms (seconds after launch; "
        "'account' is the simulated account's own time, on top of the delay)",
        f"  {'sent':>6}  {'answered':>8}  {'account':>7}  {'call':<44} region",
    ]
    for step in r.timeline:
        retry = f" (attempt {step.attempt})" if step.attempt > 1 else ""
        lines.append(
            f"  {step.sent:6.3f}  {step.answered:8.3f}  {step.target_s * 1000:5.0f} ms  "
            f"{step.label:<44} {step.region}{retry}"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument(
        "--delay-ms", type=int, nargs="+", default=[120, 30], help="delays per request"
    )
    parser.add_argument("--runs", type=int, default=5, help="sesfix runs per delay (median)")
    parser.add_argument(
        "--cli-runs", type=int, default=3, help="AWS CLI procedure runs per delay (0: skip)"
    )
    parser.add_argument("--startup-runs", type=int, default=10, help="runs per start-up figure")
    parser.add_argument("--timeline", action="store_true", help="print one run's requests")
    parser.add_argument("--json", metavar="PATH", help="also write the figures as JSON")
    args = parser.parse_args(argv)

    aws_version = "AWS CLI not run"
    if args.cli_runs:
        probe = subprocess.run([*aws_cli(), "--version"], capture_output=True, text=True)
        aws_version = (probe.stdout or probe.stderr).split()[0]
    load = os.getloadavg()[0]
    meta = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cores": os.cpu_count(),
        "load": f"{load:.2f}",
        "sesfix": __version__,
        "aws_cli": aws_version,
        "runs": args.runs,
        "cli_runs": args.cli_runs,
    }
    with tempfile.TemporaryDirectory(prefix="sesfix-bench-") as tmp:
        account = SimulatedAccount.start()
        try:
            account.load(SCENARIO)
            ws = Workspace.build(account, Path(tmp))
            startup = measure_startup(ws, args.startup_runs)
            results = [
                bench_delay(ws, account, d, args.runs, args.cli_runs, startup)
                for d in args.delay_ms
            ]
        finally:
            account.stop()
    meta["load_after"] = f"{os.getloadavg()[0]:.2f}"
    meta["load_max"] = max(meta["load"], meta["load_after"], key=float)
    print(render(results, startup, meta))
    if args.timeline:
        print(render_timeline(results[0]))
    if args.json:
        payload = {
            "meta": meta,
            "startup": asdict(startup),
            "results": [asdict(r) for r in results],
        }
        Path(args.json).write_text(json.dumps(payload, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
