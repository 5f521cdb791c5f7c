"""sesfix: find and fix why an app cannot send mail through Amazon SES.

This module must stay import-light: ``sesfix --version`` reads ``__version__``
without importing boto3 or Textual.
"""

__version__ = "0.1.0"
