"""sesfix: find and fix why an app cannot send mail through Amazon SES.

This module must stay import-light: ``sesfix --version`` reads ``__version__``
without importing boto3 or Textual.
"""

__version__ = "0.1.0"

import logging as _logging

# A library's logger: records go to the debug log when it is on (sesfix.debuglog adds a
# handler at the root), never to the terminal through logging's last-resort handler (a
# worker's crash traceback would otherwise be printed on stderr).
_logging.getLogger("sesfix").addHandler(_logging.NullHandler())
