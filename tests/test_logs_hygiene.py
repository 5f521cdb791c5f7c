"""The step-5 engine stays light: no Textual, no boto3 on import (the CLI imports it lazily)."""

from __future__ import annotations

import subprocess
import sys


def test_engine_modules_import_neither_textual_nor_boto3() -> None:
    code = (
        "import sys, sesfix.logs, sesfix.railway, sesfix.commands.logs, "
        "sesfix.commands.to_railway\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('textual', 'boto3', 'botocore'))\n"
        "print(','.join(heavy))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == ""
