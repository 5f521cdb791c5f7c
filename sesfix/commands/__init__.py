"""Headless commands. Each module has ``add_arguments(parser)`` and ``run(args) -> int``.

Modules here must stay import-light at top level (no boto3, no Textual): the parser
is built for every invocation, including ``sesfix --help``.
"""
