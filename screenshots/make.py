"""Regenerate the wizard's screenshots (SVG) from the practice account's seed state.

    .venv/bin/python screenshots/make.py            # writes screenshots/*.svg

Walks the seed incident the way a new developer would, with the keyboard: the practice
account is prepared, step 1 shows the missing SES permission, the fix's plan is confirmed,
the practice summary appears, the checklist turns green and a test message goes out.
Nothing leaves this machine: AWS is the embedded practice account (moto on 127.0.0.1),
and the developer's AWS config, keyring and state directory are replaced by empty ones.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def isolate(tmp: Path) -> None:
    for name in list(os.environ):
        if name.startswith(("AWS_", "SESFIX_", "RAILWAY_")) or name in (
            "EMAIL_PROVIDER",
            "EMAIL_FROM",
        ):
            del os.environ[name]
    os.environ.update(
        {
            "HOME": str(tmp),
            "AWS_CONFIG_FILE": str(tmp / "aws-config-none"),
            "AWS_SHARED_CREDENTIALS_FILE": str(tmp / "aws-credentials-none"),
            "AWS_EC2_METADATA_DISABLED": "true",
            "SESFIX_STATE_DIR": str(tmp / "state"),
            "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
        }
    )
    os.environ.pop("NO_COLOR", None)


def save(app: Any, name: str) -> None:
    path = HERE / f"{name}.svg"
    path.write_text(app.export_screenshot(title=f"sesfix — {name}"), encoding="utf-8")
    print(f"wrote {path.relative_to(ROOT)}")


async def walk(size: tuple[int, int], suffix: str = "", lang: str = "en") -> None:
    from sesfix.demo.practice import PracticeInfo
    from sesfix.tui.app import make_app
    from tests.support.wizard import focus_fix_button, settle

    practice = PracticeInfo.for_scenario("seed").begin()
    shown = threading.Event()

    def prepare() -> Any:
        shown.wait(30)  # hold "preparing…" until its screenshot is taken
        return practice.prepare()

    try:
        app = make_app(settings=None, operator=None, lang=lang, prepare=prepare, practice=practice)
        app.stable_output = True
        async with app.run_test(size=size) as pilot:
            await pilot.pause(0.2)
            save(app, f"00-preparing{suffix}")
            shown.set()
            await settle(pilot, app)
            save(app, f"01-step1-iam{suffix}")
            if suffix:
                return
            for key, name in (
                ("2", "02-step2-credentials"),
                ("3", "03-step3-live-test"),
                ("4", "04-step4-region"),
                ("5", "05-step5-account"),
                ("c", "06-checklist-before"),
            ):
                await pilot.press(key)
                await settle(pilot, app)
                save(app, name)
            await pilot.press("t")
            await settle(pilot, app)
            app.screen.query_one("#testsend-send").focus()
            await pilot.press("enter")
            await settle(pilot, app)
            save(app, "07-test-send-failing")
            await pilot.press("1")
            await settle(pilot, app)
            await focus_fix_button(pilot, app, "attach-ses-full-access")
            await pilot.press("enter")
            await settle(pilot, app)
            save(app, "08-fix-plan")
            await pilot.press("a")
            await settle(pilot, app)
            save(app, "09-practice-summary")
            await pilot.press("escape")
            await settle(pilot, app)
            save(app, "10-step1-fixed")
            await pilot.press("c")
            await settle(pilot, app)
            save(app, "11-checklist-green")
            await pilot.press("t")
            await settle(pilot, app)
            app.screen.query_one("#testsend-send").focus()
            await pilot.press("enter")
            await settle(pilot, app)
            save(app, "12-test-send-ok")
            app.screen.query_one("#sidebar").focus()
            await pilot.press("s")
            await settle(pilot, app)
            save(app, "13-sources")
            app.show_error("diagnose", ConnectionError("could not connect to the endpoint"))
            await pilot.pause(0.2)
            save(app, "14-error-panel")
    finally:
        practice.close()


async def pages(scenario: str, shots: tuple[tuple[str, str], ...], *, send_to: str = "") -> None:
    """A practice scenario's pages, as the wizard opens them (SMTP, delivery readiness);
    with ``send_to``, a key of ``"t"`` also sends the Test send to that address."""
    from sesfix.demo.practice import PracticeInfo
    from sesfix.tui.app import make_app
    from tests.support.wizard import settle

    practice = PracticeInfo.for_scenario(scenario).begin()
    try:
        app = make_app(
            settings=None, operator=None, lang="en", prepare=practice.prepare, practice=practice
        )
        app.stable_output = True
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot, app)
            for key, name in shots:
                await pilot.press(key)
                await settle(pilot, app)
                if key == "t" and send_to:
                    app.screen.query_one("#testsend-to").focus()
                    await pilot.press("ctrl+e", "ctrl+u", *send_to, "enter")
                    await settle(pilot, app)
                save(app, name)
    finally:
        practice.close()


async def main() -> None:
    with tempfile.TemporaryDirectory(prefix="sesfix-shots-") as tmp:
        isolate(Path(tmp))
        await walk((120, 40))
        await walk((80, 24), "-80x24")
        await walk((120, 40), "-vi", lang="vi")
        await pages("smtp-raw-secret", (("2", "15-smtp-step2"), ("3", "16-smtp-step3-live")))
        await pages("dkim-not-published", (("4", "17-dns-step4"),))
        await pages("sandbox-recipient", (("5", "18-recipient-step5"),))
        await pages("account-paused", (("5", "19-account-paused-step5"),))
        await pages(
            "sandbox-recipient", (("t", "20-test-send-rejected"),), send_to="owner@gmail.com"
        )


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    asyncio.run(main())
