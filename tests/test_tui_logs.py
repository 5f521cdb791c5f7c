"""Step 5 of the wizard reads the app's logs (the guide's step 5) beside the live probes."""

from __future__ import annotations

from typing import Any

from textual.widgets import Button, Static, TextArea

from sesfix.tui.widgets.log_panel import LogPanel
from tests.test_tui_flow import incident_app, settle

# The guide's failing log, as the app on Railway printed it during the incident.
GUIDE_LOG = (
    "2026-11-29T10:42:00Z 🔧 [Email Service - SES] Initializing AWS SES client...\n"
    "2026-11-29T10:42:00Z 📤 [Email Service - SES] Sending email via AWS SES...\n"
    "2026-11-29T10:42:01Z ❌ [Email Service - SES] Error: {\n"
    '  message: "User is not authorized to perform: ses:SendEmail",\n'
    '  code: "AccessDenied"\n'
    "}\n"
)


async def test_step5_analyses_pasted_log_against_the_live_report(account: Any) -> None:
    acct = account("seed")
    app = incident_app(acct)
    async with app.run_test(size=(120, 60)) as pilot:
        await settle(pilot, app)
        await pilot.press("5")
        await pilot.pause(0.1)
        assert app.state.current_page == "step5"
        panel = app.screen.query_one(LogPanel)
        # The panel knows the finished diagnosis, so it can link the logs to it.
        assert panel.report is app.state.report
        panel.query_one("#log-paste", TextArea).text = GUIDE_LOG
        panel.query_one("#log-analyse-paste", Button).press()
        await settle(pilot, app)
        await pilot.pause(0.1)
        result = str(panel.query_one("#log-result", Static).render())
        assert "AccessDenied" in result
        assert "iam.ses_permission_missing" in result
        # The live probe agrees with the log: the same cause, said once as a link.
        assert "live" in result.lower()
        assert acct.app_env["AWS_SECRET_ACCESS_KEY"].strip() not in result


async def test_step5_panel_speaks_vietnamese(account: Any) -> None:
    acct = account("seed")
    app = incident_app(acct, lang="vi")
    async with app.run_test(size=(120, 60)) as pilot:
        await settle(pilot, app)
        await pilot.press("5")
        await pilot.pause(0.1)
        panel = app.screen.query_one(LogPanel)
        assert str(panel.query_one("#log-analyse-paste", Button).label) == "Phân tích đoạn đã dán"
