"""A drain that keeps polling, as the bot's exporter loop does: rounds every 0.1 s against
DATABASE_URL until nothing has been pending for a second. Usage: python -m tests.export_drainer
"""

from __future__ import annotations

import os
import time

from exporter import outbox
from exporter.service import runtime


def main() -> None:
    rt = runtime()
    sender = rt.sender()
    idle_since: float | None = None
    while True:
        _, claimed = outbox.drain_round(rt.factory, sender, worker=f"drainer-{os.getpid()}")
        if claimed:
            idle_since = None
            continue
        if outbox.pending_count(rt.factory) == 0:
            idle_since = idle_since or time.monotonic()
            if time.monotonic() - idle_since > 1.0:
                break
        time.sleep(0.1)
    sender.close()


if __name__ == "__main__":
    main()
