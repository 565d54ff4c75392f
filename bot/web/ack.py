"""The Slack ack latency histogram: observed by the WSGI app around each POST /slack/events
(bot/slack/web.py), served by /metrics. Only prometheus_client here, so the Slack transport
does not load the pages to time itself."""

from __future__ import annotations

from prometheus_client import Histogram

# Slack wants the ack within 3 s; the buckets resolve the part that matters.
SLACK_ACK = Histogram("renkei_slack_ack_seconds", "Time to answer a Slack request (ack)",
                      buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0),
                      registry=None)
