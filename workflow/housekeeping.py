"""Rows that only matter for a while: Slack request keys (retries and double clicks).

Slack retries a request within minutes and a double click lands within seconds, so a key
older than a day protects nothing. The outbox's proofs of work done (`outbox.done:…`) are
kept: a dead job retried days later must still not make a second Kintone record or mail.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.orm import Session, sessionmaker

from workflow.db import transaction
from workflow.models import ProcessedRequest

REQUEST_KEY_PREFIX = "slack:"
KEEP_REQUEST_KEYS = timedelta(days=1)


def prune_request_keys(factory: sessionmaker[Session], *, now: datetime) -> int:
    """Delete Slack request keys older than a day; how many went."""
    with transaction(factory) as session:
        result = session.execute(
            delete(ProcessedRequest)
            .where(ProcessedRequest.key.startswith(REQUEST_KEY_PREFIX, autoescape=True),
                   ProcessedRequest.at < now - KEEP_REQUEST_KEYS)
            .execution_options(synchronize_session=False))
        return int(getattr(result, "rowcount", 0) or 0)
