"""The diagnosis: five steps, probes run concurrently, findings as data."""

from sesfix.diagnosis.report import Context, Report, StepResult

__all__ = ["Context", "Report", "StepResult"]
