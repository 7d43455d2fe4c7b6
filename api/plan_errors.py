"""Why an upload or deletion was refused, one class per HTTP answer the router gives.

A module of its own so the router (api/app.py) can map them without importing the library,
which imports the app.
"""

from __future__ import annotations


class UploadRejected(ValueError):
    """The upload is not a plan plankg can read (the message says why): a 422."""


class UploadTooLarge(UploadRejected):
    """The upload needs more memory or time than an upload may take: a 413."""


class PlanConflict(Exception):
    """The upload would clash with the plan `existing`: a 409 naming it."""

    def __init__(self, message: str, existing: str) -> None:
        super().__init__(message)
        self.existing = existing


class DuplicatePlan(PlanConflict):
    """The upload's bytes are already the plan `existing`: a 409."""
