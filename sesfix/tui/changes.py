"""Changes the wizard makes: plan → confirm → apply, undo, the test send, a key into Railway.

Each runs its blocking part in a daemon thread (:mod:`sesfix.tui.background`) and comes back
to the app on the UI thread. The app holds the state; these functions drive it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sesfix.locale import t
from sesfix.masking import redact
from sesfix.tui import background
from sesfix.tui.state import AppliedFix, known_key_ids

if TYPE_CHECKING:
    from sesfix.diagnosis.testsend import TestSendResult
    from sesfix.fixes import ApplyResult, AuditEntry, NewKey, Plan, UndoResult
    from sesfix.settings import AppSettings
    from sesfix.tui.app import SesfixApp


def fix_title(fix_id: str) -> str:
    return t(f"fix.{fix_id}.title")


# ---- fixes ---------------------------------------------------------------------------------


def request_fix(app: SesfixApp, fix_id: str, inputs: dict[str, str] | None = None) -> None:
    if app.state.report is None or app.state.running or app.state.fix_busy:
        app.notify(t("fix.wait"), severity="warning", markup=False)
        return
    from sesfix import fixes

    app.state.fix_busy = True
    app.state.fix_status = t("fix.planning", fix=fix_title(fix_id))
    app.refresh_views()
    report, settings, operator = app.state.report, app.settings, app.operator
    values = dict(inputs or {})

    def plan() -> Plan:
        return fixes.plan_fix(fix_id, report, settings, operator=operator, inputs=values)

    background.start(app, "plan-fix", plan, lambda p: confirm_plan(app, p, values))


def practice_can_apply(app: SesfixApp, plan: Plan) -> bool:
    """Practice mode applies guidance fixes to the practice app's own variables."""
    return (
        app.practice is not None
        and plan.kind == "guidance"
        # the variable changes, as data, that practice applies; or DNS records it publishes
        and (bool(plan.changes) or app.practice.publishes(plan))
        and not plan.noop
        and not plan.refused
    )


def confirm_plan(app: SesfixApp, plan: Plan, inputs: dict[str, str] | None = None) -> None:
    from sesfix.tui.screens.confirm import ConfirmFixScreen

    app.state.fix_busy = False
    app.state.fix_status = ""
    practice_guidance = practice_can_apply(app, plan)
    screen = ConfirmFixScreen(
        plan,
        practice_guidance=practice_guidance,
        inputs=inputs,
        key_ids=known_key_ids(app.settings, app.state),
    )

    def answered(yes: bool | None) -> None:
        if screen.replan_inputs is not None:
            request_fix(app, plan.fix_id, screen.replan_inputs)
        elif yes and (plan.applicable or practice_guidance):
            app.state.fix_busy = True
            app.state.fix_status = t("fix.applying", fix=fix_title(plan.fix_id))
            app.refresh_views()
            if plan.applicable:
                apply(app, plan)
            else:
                apply_guidance(app, plan.fix_id)
        else:
            app.state.fix_status = t("fix.declined")
            app.refresh_views()

    app.push_screen(screen, answered)


def apply(app: SesfixApp, plan: Plan) -> None:
    from sesfix import fixes
    from sesfix.tui.messages import FixProgress

    settings, operator, practice = app.settings, app.operator, app.practice

    def progress(text: str) -> None:
        app.post_message(FixProgress(str(text)))

    def work() -> tuple[ApplyResult, AppSettings | None]:
        result = fixes.apply_plan(
            plan, settings=settings, operator=operator, confirmed=True, progress=progress
        )
        new_settings = None
        if practice is not None and result.status in ("applied", "partial"):
            practice.note_fix(result.fix_id)
            if result.new_key is not None:
                new_settings = practice.use_new_key(
                    result.new_key.access_key_id, result.new_key.secret
                )
        return result, new_settings

    background.start(app, "apply-fix", work, lambda r: applied(app, *r))


def apply_guidance(app: SesfixApp, fix_id: str) -> None:
    practice, report = app.practice, app.state.report
    assert practice is not None and report is not None

    def done(settings: AppSettings) -> None:
        app.state.fix_busy = False
        app.settings = settings
        app.state.applied.append(AppliedFix(fix_id, datetime.now(UTC), "", "applied"))
        app.state.fix_status = t("fix.result.applied", fix=fix_title(fix_id))
        app.state.last_guidance = []
        app.after_change()

    background.start(app, "apply-fix", lambda: practice.apply_guidance(fix_id, report), done)


def applied(app: SesfixApp, result: ApplyResult, new_settings: AppSettings | None) -> None:
    app.state.fix_busy = False
    entry = AppliedFix(result.fix_id, datetime.now(UTC), result.entry_id, result.status)
    if result.status in ("applied", "partial"):
        app.state.applied.append(entry)
    if result.new_key is not None:
        app.state.last_new_key = result.new_key
        app.state.old_key_id = app.settings.access_key_id
    if new_settings is not None:
        app.settings = new_settings
    secret = app.settings.secret_access_key
    status = t("fix.result." + str(result.status), fix=fix_title(result.fix_id))
    if result.missing_permission is not None:
        status += "\n" + result.missing_permission.describe()
    elif result.message:
        status += "\n" + redact(result.message, secret)
    app.state.last_guidance = [redact(x, secret) for x in result.guidance]
    for line in app.state.last_guidance:
        status += "\n→ " + line
    app.state.fix_status = status
    app.after_change()


# ---- undo ------------------------------------------------------------------------------------


def start_undo(app: SesfixApp) -> None:
    if app.state.fix_busy or app.state.running:
        app.notify(t("fix.wait"), severity="warning", markup=False)
        return
    from sesfix import fixes
    from sesfix.errors import UsageError

    def preview() -> tuple[AuditEntry, list[str]] | None:
        try:
            return fixes.undo_preview(None)
        except UsageError:
            return None

    def previewed(found: tuple[AuditEntry, list[str]] | None) -> None:
        if found is None:
            app.notify(t("undo.nothing"), markup=False)
        else:
            confirm_undo(app, *found)

    background.start(app, "undo-preview", preview, previewed)


def confirm_undo(app: SesfixApp, entry: AuditEntry, commands: list[str]) -> None:
    from sesfix import fixes
    from sesfix.tui.messages import FixProgress
    from sesfix.tui.screens.confirm import ConfirmScreen

    operator = app.operator

    def progress(text: str) -> None:
        app.post_message(FixProgress(str(text)))

    def answered(yes: bool | None) -> None:
        if not yes:
            return
        app.state.fix_busy = True
        app.state.fix_status = t("undo.running", fix=fix_title(entry.fix_id))
        app.refresh_views()
        background.start(
            app,
            "undo",
            lambda: fixes.undo(entry.id, operator=operator, confirmed=True, progress=progress),
            lambda result: undone(app, entry, result),
        )

    app.push_screen(
        ConfirmScreen(
            t("undo.title", fix=fix_title(entry.fix_id)),
            t("undo.body"),
            commands,
            yes_label=t("undo.yes"),
            key_ids=[*entry.key_ids(), *known_key_ids(app.settings, app.state)],
        ),
        answered,
    )


def undone(app: SesfixApp, entry: AuditEntry, result: UndoResult) -> None:
    app.state.fix_busy = False
    if result.status in ("undone", "partial"):
        gone = [a for a in app.state.applied if a.entry_id == result.entry_id]
        for item in gone or app.state.applied[-1:]:
            app.state.applied.remove(item)
        if entry.fix_id == "rotate-access-key":
            app.state.last_new_key = None
            app.state.old_key_id = None
        app.state.last_guidance = []
    app.state.fix_status = t("undo.result." + str(result.status), fix=fix_title(entry.fix_id))
    if result.message:
        app.state.fix_status += "\n" + redact(result.message, app.settings.secret_access_key)
    app.after_change()


# ---- test send -----------------------------------------------------------------------------


def send_test(app: SesfixApp, to: str) -> None:
    if app.state.testsend_busy:
        return
    from sesfix.diagnosis.testsend import send_test_email

    app.state.testsend_busy = True
    app.state.testsend_result = None
    app.refresh_views()
    settings, operator = app.settings, app.operator

    def done(result: TestSendResult) -> None:
        app.state.testsend_busy = False
        app.state.testsend_result = result
        app.refresh_views()

    background.start(
        app, "test-send", lambda: send_test_email(settings, to, operator=operator), done
    )


# ---- a rotated key into Railway ---------------------------------------------------------------


def offer_railway_push(app: SesfixApp) -> None:
    """After rotate-access-key: write the new pair to the Railway service, if confirmed.

    Both values go through ``railway variable set --stdin``, never on a command line;
    the service redeploys once. Then the deployed variables are probed again.
    """
    from sesfix.tui.screens.confirm import ConfirmScreen

    key = app.state.last_new_key
    if key is None or not app.from_railway or app.state.railway_busy:
        return
    target = "".join(
        f" {flag} {value}"
        for flag, value in (("-s", app.railway_service), ("-e", app.railway_environment))
        if value
    )
    commands = [
        f"railway variable set --stdin AWS_ACCESS_KEY_ID{target} --skip-deploys",
        f"railway variable set --stdin AWS_SECRET_ACCESS_KEY{target}",
    ]
    body = t(
        "railway.push.body",
        key=key.masked,
        service=app.railway_service or t("railway.linked_service"),
    )
    screen = ConfirmScreen(t("railway.push.title"), body, commands, yes_label=t("railway.push.yes"))

    def answered(yes: bool | None) -> None:
        if yes:
            app.state.railway_busy = True
            app.state.fix_status = t("railway.push.running")
            app.refresh_views()
            push_to_railway(app, key)

    app.push_screen(screen, answered)


def push_to_railway(app: SesfixApp, key: NewKey) -> None:
    from sesfix import railway

    service, environment = app.railway_service, app.railway_environment

    def done(message: str) -> None:
        app.state.railway_busy = False
        app.state.fix_status = t("railway.push.done", message=message)
        # Probe what the service now holds (r re-reads the variables from Railway).
        app.start_diagnosis(reload=True)

    background.start(
        app,
        "railway-push",
        lambda: railway.push_new_key_to_railway(key, service, environment).message,
        done,
    )
