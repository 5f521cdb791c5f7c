"""Plain text of what is on screen (tests and the screenshot script)."""

from __future__ import annotations

from textual.app import App


def screen_text(app: App[object]) -> str:
    """Every line the current screen stack shows, as plain text."""
    strips = app.screen._compositor.render_strips()
    return "\n".join(strip.text.rstrip() for strip in strips)
