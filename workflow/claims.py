"""Scheduled fires claimed in the database: every replica may run a scheduler, but each
(job, scheduled time) is executed by the one process whose INSERT wins."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from workflow.models import ScheduledFire


def claim_fire(factory: sessionmaker[Session], job_id: str, fire_time: datetime,
               worker: str) -> bool:
    """True for exactly one caller per (job_id, fire_time), across processes and hosts."""
    try:
        with factory() as session, session.begin():
            session.add(ScheduledFire(job_id=job_id, fire_time=fire_time, claimed_by=worker))
    except IntegrityError:
        return False
    return True
