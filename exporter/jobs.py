"""APScheduler jobs of the exporter, for every process that runs a scheduler.

- `export:close@HH:MM`: one cron job per distinct store close time (Asia/Tokyo); a fire
  enqueues the eight kinds for every eligible store closing then (one extraction, one
  transaction, however many stores share the time).
- `export:hourly`: at each full hour, 支払種別明細 of the hour that just ended.
- `export:refresh`: every EXPORT_REFRESH_MINUTES, re-reads the linkage (close jobs follow
  stores being linked, unlinked or changing close time) and catches up closes that no process
  was running to fire (yesterday and the day before).
- `export:drain`: the continuous drain loop.
- `export:prune`: at 04:30, retention (`exporter.retention`, `workflow.retention`), claimed.
- Late data (`exporter.late.scan`): after every close and every hourly fire, inside the fire
  this process claimed, rows that reached renkei after their day or hour was frozen are
  enqueued as the next revision.

APScheduler 3 runs a job in every process that schedules it, so each close and hourly fire is
claimed in the database (`workflow.claims.claim_fire`) under its scheduled time, computed from
the clock (the latest occurrence), which every replica agrees on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session, sessionmaker

from exporter import drift, late, outbox, retention
from exporter.batches import Enqueued, enqueue_close, enqueue_hourly, targets_on
from exporter.confirm import confirm_delivered
from exporter.destinations import Sender
from exporter.models import ExportBatch
from exporter.settings import ExporterSettings
from exporter.timing import (
    close_business_date,
    close_moment,
    last_occurrence,
    parse_close_time,
    top_of_hour,
)
from workflow import retention as workflow_retention
from workflow.claims import claim_fire
from workflow.db import utcnow
from workflow.settings import Settings

log = logging.getLogger(__name__)
CLOSE_PREFIX = "export:close@"
PRUNE_AT = time(4, 30)  # JST: after the last closes (02:00) and before the first opening


class ExportJobs:
    """The job functions, bound to one process (worker) and its database."""

    def __init__(self, scheduler: BaseScheduler, factory: sessionmaker[Session],
                 settings: Settings, xsettings: ExporterSettings, *, worker: str,
                 clock: Callable[[], datetime] = utcnow) -> None:
        self.scheduler, self.factory, self.settings = scheduler, factory, settings
        self.worker, self.clock = worker, clock
        self.tz = ZoneInfo(settings.timezone)
        self.sender = Sender(settings, xsettings)
        self.xsettings = xsettings
        self.fired: list[tuple[str, datetime]] = []  # fires this process won (for operators)
        self.sent = 0  # batches this process delivered

    # -- the jobs ---------------------------------------------------------------------
    def close(self, close_time: str) -> list[Enqueued]:
        """閉局 of every eligible store whose close time is `close_time`."""
        job_id = f"{CLOSE_PREFIX}{close_time}"
        fire = last_occurrence(self.clock(), parse_close_time(close_time), self.tz)
        if not claim_fire(self.factory, job_id, fire, self.worker):
            return []
        self.fired.append((job_id, fire))
        day = close_business_date(fire, close_time)
        added = enqueue_close(self.factory, self.tz, day, close_time=close_time,
                              now=self.clock())
        log.info("close %s (%s): %d batches enqueued", close_time, day, len(added))
        self.drift(day, {a.company_code for a in added})
        return added + self.late()

    def hourly(self) -> list[Enqueued]:
        """支払種別明細 of the hour that just ended."""
        fire = top_of_hour(self.clock(), self.tz)
        if not claim_fire(self.factory, "export:hourly", fire, self.worker):
            return []
        self.fired.append(("export:hourly", fire))
        added = enqueue_hourly(self.factory, self.tz, fire - timedelta(hours=1),
                               now=self.clock())
        for day in sorted({a.business_date for a in added}):
            self.drift(day, {a.company_code for a in added if a.business_date == day})
        return added + self.late()

    def drift(self, day: date, company_codes: set[str]) -> None:
        """Mapping drift of the companies just exported (a 設定変更 draft within the hour);
        a failure is logged and never holds back the export."""
        if not company_codes:
            return
        try:
            found = drift.scan(self.factory, day, company_codes=company_codes)
        except Exception:
            log.exception("drift scan of %s failed", day)
            return
        for d in found:
            log.info("drift: company %s, %d new items in draft %d", d.company_code,
                     len(d.items), d.draft_id)

    def late(self) -> list[Enqueued]:
        """Revisions for data that arrived after its day or hour was frozen (run inside a
        claimed close or hourly fire, so once across replicas)."""
        try:
            found = late.scan(self.factory, self.tz, now=self.clock())
        except Exception:  # the next hourly fire scans again from the same mark
            log.exception("late-data scan failed")
            return []
        if found.enqueued:
            log.info("late data: %d days, %d hours, %d revisions enqueued",
                     len(found.late_days), len(found.late_hours), len(found.enqueued))
        for day in sorted({e.business_date for e in found.enqueued}):  # late codes drift too
            self.drift(day, {e.company_code for e in found.enqueued if e.business_date == day})
        return found.enqueued

    def prune(self) -> dict[str, int] | None:
        """Retention: delivered batches' records, finished jobs, old request ids and fires
        (None when another replica claimed tonight's prune)."""
        fire = last_occurrence(self.clock(), PRUNE_AT, self.tz)
        if not claim_fire(self.factory, "export:prune", fire, self.worker):
            return None
        self.fired.append(("export:prune", fire))
        now = self.clock()
        removed = retention.prune_batches(self.factory, days=self.xsettings.retention_days,
                                          now=now)
        removed |= workflow_retention.prune(
            self.factory, outbox_days=self.settings.outbox_retention_days, now=now)
        log.info("retention prune: %s", removed)
        if vacuumed := workflow_retention.vacuum_when_off(self.factory):
            log.warning("autovacuum is off on this PostgreSQL server: vacuumed %s after the "
                        "prune (turn autovacuum on)", ", ".join(vacuumed))
        return removed

    def drain(self) -> outbox.DrainResult:
        """Send what is due; bounded so a huge backlog does not starve other jobs' threads."""
        try:
            result = outbox.drain(self.factory, self.sender, worker=self.worker, max_seconds=60)
        except Exception:  # the database may be away for a moment; the next interval retries
            log.exception("export drain failed")
            return outbox.DrainResult()
        self.sent += result.sent
        if result.sent:
            try:
                verified = confirm_delivered(self.factory, self.settings, clock=self.clock)
            except Exception:  # proof can wait for the next round; deliveries are recorded
                log.exception("could not confirm tickets by delivery")
            else:
                if verified:
                    log.info("tickets verified by their first delivery: %s", verified)
        return result

    def refresh(self) -> None:
        """Follow linkage changes and catch up missed closes."""
        now = self.clock()
        today = now.astimezone(self.tz).date()
        with self.factory() as session:
            # "9:00" and "09:00" are one job: ids use the parsed time
            times = {f"{parse_close_time(t.close_time):%H:%M}"
                     for day in (today - timedelta(days=1), today)
                     for t in targets_on(session, day)}
        wanted = {f"{CLOSE_PREFIX}{t}": t for t in times}
        for job in self.scheduler.get_jobs():
            if job.id.startswith(CLOSE_PREFIX) and job.id not in wanted:
                job.remove()
        for job_id, close_time in wanted.items():
            if self.scheduler.get_job(job_id) is None:
                at = parse_close_time(close_time)
                self.scheduler.add_job(
                    self.close, CronTrigger(hour=at.hour, minute=at.minute, timezone=self.tz),
                    args=[close_time], id=job_id, replace_existing=True, coalesce=True,
                    misfire_grace_time=3600, max_instances=1)
        for day in (today - timedelta(days=2), today - timedelta(days=1)):
            self.catch_up(day, now)

    def catch_up(self, day: date, now: datetime) -> list[Enqueued]:
        """Closes of `day` that should have fired before `now` but left no batch."""
        added: list[Enqueued] = []
        with self.factory() as session:
            due = [t for t in targets_on(session, day)
                   if close_moment(day, t.close_time, self.tz) <= now]
            if not due:
                return added
            b = ExportBatch
            done = set(session.execute(
                select(b.company_code, b.store_code).where(
                    b.business_date == day, b.hour.is_(None),
                    tuple_(b.company_code, b.store_code).in_([t.key for t in due]))
                .distinct()))
        for target in due:
            if target.key not in done:
                added += enqueue_close(self.factory, self.tz, day,
                                       company_code=target.company_code,
                                       store_code=target.store_code)
        if added:
            log.info("caught up %d close batches of %s", len(added), day)
        return added


def register(scheduler: BaseScheduler, factory: sessionmaker[Session], settings: Settings, *,
             worker: str, xsettings: ExporterSettings | None = None,
             clock: Callable[[], datetime] = utcnow) -> ExportJobs:
    """Add the exporter's jobs to `scheduler` (started or not); returns the bound jobs."""
    x = xsettings or ExporterSettings()
    jobs = ExportJobs(scheduler, factory, settings, x, worker=worker, clock=clock)
    tz = jobs.tz
    soon = datetime.now(tz)
    scheduler.add_job(jobs.refresh, IntervalTrigger(minutes=x.refresh_minutes, timezone=tz),
                      id="export:refresh", replace_existing=True, next_run_time=soon,
                      coalesce=True, max_instances=1)
    scheduler.add_job(jobs.hourly, CronTrigger(minute=0, timezone=tz), id="export:hourly",
                      replace_existing=True, coalesce=True, misfire_grace_time=1800,
                      max_instances=1)
    scheduler.add_job(jobs.prune, CronTrigger(hour=PRUNE_AT.hour, minute=PRUNE_AT.minute,
                                              timezone=tz),
                      id="export:prune", replace_existing=True, coalesce=True,
                      misfire_grace_time=3600, max_instances=1)
    scheduler.add_job(jobs.drain, IntervalTrigger(seconds=x.drain_interval_seconds,
                                                  timezone=tz),
                      id="export:drain", replace_existing=True, next_run_time=soon,
                      coalesce=True, max_instances=1)
    return jobs
