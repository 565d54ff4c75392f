"""GET /metrics: Prometheus text format (prometheus_client), figures read from the database at
scrape time by a custom collector (workflow.reports.counters), plus the Slack ack histogram
this process observed. Guarded like the dashboard on the public port."""

from __future__ import annotations

from collections.abc import Iterator

from flask import Blueprint, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector

from bot.context import Context
from bot.web import services
from bot.web.ack import SLACK_ACK
from bot.web.dashboard import allowed
from workflow.reports import counters

bp = Blueprint("metrics", __name__)


class DatabaseCollector(Collector):
    """Reads the outbox, export batches and tickets on each scrape."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def collect(self) -> Iterator[Metric]:
        with self.ctx.factory() as session:
            c = counters(session, today=self.ctx.workflow.today())
        depth = GaugeMetricFamily("renkei_outbox_jobs", "Outgoing jobs by kind and state",
                                  labels=["kind", "state"])
        for (kind, state), n in sorted(c.outbox.items()):
            depth.add_metric([kind, state], n)
        yield depth
        batches = GaugeMetricFamily("renkei_export_batches",
                                    "Export batches by data kind and state",
                                    labels=["kind", "state"])
        for (kind, state), n in sorted(c.exports.items()):
            batches.add_metric([kind, state], n)
        yield batches
        delivered = CounterMetricFamily("renkei_export_deliveries",
                                        "Export batches delivered", labels=["kind"])
        for (kind, state), n in sorted(c.exports.items()):
            if state == "done":
                delivered.add_metric([kind], n)
        yield delivered
        yield CounterMetricFamily("renkei_export_failures",
                                  "Failed delivery attempts (retried or dead)",
                                  value=c.export_failures)
        h = c.delivery_latency
        yield HistogramMetricFamily(
            "renkei_export_delivery_latency_seconds",
            "Seconds from freezing a batch to its delivery",
            buckets=[("+Inf" if b == float("inf") else repr(b), n) for b, n in h.buckets],
            sum_value=h.total)
        tickets = GaugeMetricFamily("renkei_tickets", "Tickets by state", labels=["state"])
        for state, n in c.tickets.items():
            tickets.add_metric([state], n)
        yield tickets
        yield GaugeMetricFamily("renkei_tickets_overdue",
                                "Tickets in 連携設定 past their SLA due date", value=c.overdue)


def registry_for(ctx: Context) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(DatabaseCollector(ctx))
    registry.register(SLACK_ACK)
    return registry


@bp.get("/metrics")
def metrics() -> Response:
    if allowed() is None:
        return Response("operator token required\n", status=401, mimetype="text/plain",
                        headers={"WWW-Authenticate": "Bearer"})
    svc = services()
    registry = svc.registry if svc.registry is not None else registry_for(svc.ctx)
    svc.registry = registry
    return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)
