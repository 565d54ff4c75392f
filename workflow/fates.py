"""What became of one attempt at outgoing work: the three fates and the exception that says so.

Every sender (Slack, Kintone, SMTP) turns a failure into a `JobFailed` whose `fate` tells the
outbox what to do (the concrete codes live in bot/integrations/failures.py, one table):
- transient: retry later, with backoff or at the time the other side asked (Retry-After);
- repairable: something of ours was removed (the ticket message deleted); the sender repairs it
  and goes on, and if it cannot, the job is retried like a transient one;
- permanent: retrying cannot fix it; the job is dead, shown on its ticket until someone mends
  the cause and retries it.
`code` is stable and short ("slack:channel_not_found", "kintone:400:CB_VA01", "smtp:535") and
is what the people's reason is looked up by; `detail` is English for operators and logs.
"""

from __future__ import annotations

from enum import StrEnum


class Fate(StrEnum):
    TRANSIENT = "transient"
    REPAIRABLE = "repairable"
    PERMANENT = "permanent"


class JobFailed(Exception):
    """An attempt failed with a known fate; `retry_after` (seconds) when the other side said."""

    fate: Fate = Fate.TRANSIENT

    def __init__(self, detail: str = "", *, code: str = "", fate: Fate | None = None,
                 retry_after: float | None = None) -> None:
        super().__init__(detail or code)
        self.detail = detail or code
        self.code = code
        if fate is not None:
            self.fate = fate
        self.retry_after = retry_after


class Transient(JobFailed):
    fate = Fate.TRANSIENT


class Permanent(JobFailed):
    """A failure that retrying cannot fix (bad request, no access): the job goes dead."""

    fate = Fate.PERMANENT


class Repairable(JobFailed):
    fate = Fate.REPAIRABLE


class Deferred(Exception):
    """Not an attempt: the job waits (its channel's pace) and is tried again at `until`
    without counting against it."""

    def __init__(self, seconds: float, why: str = "paced") -> None:
        super().__init__(why)
        self.seconds = seconds


def dependency_code(kind: str) -> str:
    """The code of a job that went dead because the job it waits for (of `kind`) is dead."""
    return f"depends:{kind}"
