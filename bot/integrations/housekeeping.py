"""The hourly clean-up job: every replica schedules it, the one that claims the hour's fire
in the database runs it (workflow.claims), so the DELETE runs once an hour in all."""

from __future__ import annotations

import logging
from datetime import datetime
from zoneinfo import ZoneInfo

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.cron import CronTrigger

from workflow.claims import claim_fire
from workflow.housekeeping import prune_request_keys
from workflow.service import Workflow

log = logging.getLogger(__name__)
JOB_ID = "renkei:prune-request-keys"


class Prune:
    def __init__(self, wf: Workflow, worker: str) -> None:
        self.wf = wf
        self.worker = worker

    def __call__(self) -> int | None:
        """Prune if this process wins the hour; None when another replica did."""
        now = self.wf.clock()
        fire = now.replace(minute=0, second=0, microsecond=0)
        if not claim_fire(self.wf.factory, JOB_ID, fire, self.worker):
            return None
        gone = prune_request_keys(self.wf.factory, now=now)
        if gone:
            log.info("pruned %d Slack request keys older than a day", gone)
        return gone


def register(scheduler: BaseScheduler, wf: Workflow, *, worker: str) -> Prune:
    """Add the job at minute 17 of every hour (off the hour, where other fires land), and
    once now so a restart does not wait an hour."""
    prune = Prune(wf, worker)
    tz = ZoneInfo(wf.settings.timezone)
    scheduler.add_job(prune, CronTrigger(minute=17, timezone=tz), id=JOB_ID,
                      replace_existing=True, next_run_time=datetime.now(tz), coalesce=True,
                      max_instances=1, misfire_grace_time=3600)
    return prune
