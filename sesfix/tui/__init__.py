"""The wizard: a Textual front-end over the engine, the fix layer and the keyring.

Only this package imports Textual. Build the app with :func:`sesfix.tui.app.make_app`.
"""
