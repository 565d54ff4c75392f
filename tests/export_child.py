"""A replica for the multi-process tests: runs a real scheduler with the exporter's jobs
against DATABASE_URL, fires the close and hourly jobs at a fixed clock, drains until nothing
is pending, and prints the fires it won as JSON. Usage: python -m tests.export_child ISO_NOW
"""

from __future__ import annotations

import json
import os
import sys
import time
from datetime import datetime
from zoneinfo import ZoneInfo

from apscheduler.schedulers.background import BackgroundScheduler

from exporter import jobs, outbox
from exporter.service import runtime


def main() -> None:
    at = datetime.fromisoformat(sys.argv[1])
    rt = runtime()
    tz = ZoneInfo(rt.settings.timezone)
    scheduler = BackgroundScheduler(timezone=tz)
    bound = jobs.register(scheduler, rt.factory, rt.settings, worker=f"child-{os.getpid()}",
                          xsettings=rt.xsettings, clock=lambda: at)
    bound.refresh()
    scheduler.start()
    for job in scheduler.get_jobs():
        if job.id.startswith(jobs.CLOSE_PREFIX) or job.id == "export:hourly":
            job.modify(next_run_time=datetime.now(tz))
    idle = 0
    while idle < 10:  # pending may still be in the other replica's hands: wait it out
        time.sleep(0.2)
        idle = idle + 1 if outbox.pending_count(rt.factory) == 0 else 0
    scheduler.shutdown()
    bound.sender.close()
    print(json.dumps({"fired": [[job, fire.isoformat()] for job, fire in bound.fired],
                      "sent": bound.sent}))


if __name__ == "__main__":
    main()
