"""`renkei report`: the dashboard's figures in the terminal (rich tables), and with --png its
charts as images. Same computation as /dashboard (workflow.reports)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from bot import context
from bot.cli.common import user_errors
from workflow.calendar import read_date
from workflow.reports import Report, report


def _when(d: date | None) -> str:
    return d.isoformat() if d else "—"


def _hours(v: float | None) -> str:
    return f"{v:.1f}" if v is not None else "—"


def render(r: Report, console: Console) -> None:
    """Print every figure of `r` as tables."""
    console.print(f"[bold]renkei report[/] {r.period_from} .. {r.period_to} (JST)")
    steps = Table(title="Tickets per step")
    steps.add_column("state")
    steps.add_column("step")
    steps.add_column("tickets", justify="right")
    for c in r.counts:
        steps.add_row(c.state, c.label, str(c.count))
    console.print(steps)
    console.print(f"Overdue in partner_setup (連携設定): [bold]{r.overdue}[/]")
    cycle = Table(title="Cycle time per step (hours, stays ended in the period)")
    for col in ("step", "n", "median", "p90"):
        cycle.add_column(col, justify="left" if col == "step" else "right")
    for ct in r.cycle:
        cycle.add_row(ct.label, str(ct.n), _hours(ct.median_hours), _hours(ct.p90_hours))
    console.print(cycle)
    sla = Table(title="Partner SLA kept per month (連携設定 within its due date)")
    for col in ("month", "done", "kept", "kept %"):
        sla.add_column(col, justify="left" if col == "month" else "right")
    for s in r.sla:
        sla.add_row(s.month, str(s.done), str(s.kept), f"{s.percent:.0f}")
    console.print(sla)
    if not r.exporter_available:
        console.print("Exporter health: no export_batches table yet")
    else:
        health = Table(title="Exporter health per store")
        for col in ("company", "store", "last delivered", "backlog", "dead", "late revisions",
                    "new items (drift)"):
            health.add_column(col)
        for h in r.health:
            health.add_row(h.company_code, h.store_code, _when(h.last_delivered),
                           str(h.backlog), str(h.dead), str(h.late_revisions),
                           str(h.drift_items))
        console.print(health)
    dead = Table(title="Dead outgoing jobs")
    for col in ("source", "id", "kind", "what", "attempts", "reason"):
        dead.add_column(col)
    for d in r.dead:
        dead.add_row(d.source, str(d.id), d.kind, d.what, str(d.attempts), d.reason)
    console.print(dead if r.dead else "Dead outgoing jobs: none")


def report_command(
    date_from: str | None = typer.Option(None, "--from", help="First day (YYYY-MM-DD, JST); "
                                         "default 89 days before --to."),
    date_to: str | None = typer.Option(None, "--to", help="Last day (YYYY-MM-DD); default today."),
    png: Path | None = typer.Option(None, "--png", help="Also write the charts as PNG files "
                                    "(steps.png, cycle.png, sla.png) into this directory."),
) -> None:
    """Print the dashboard's figures (tickets, cycle times, SLA, exporter, dead jobs).

    Tickets per step, overdue, cycle times per step, partner SLA per month, exporter health
    per store and dead outgoing jobs."""
    with user_errors():
        start = read_date(date_from, field="--from", label="--from", required=False)
        end = read_date(date_to, field="--to", label="--to", required=False)
    if start and end and start > end:
        typer.secho("--from is after --to", fg="red", err=True)
        raise typer.Exit(2)
    ctx = context.default()
    wf = ctx.workflow
    with ctx.factory() as session:
        figures = report(session, today=wf.today(), tz=wf.tz, period_from=start, period_to=end)
    render(figures, Console(width=140))
    if png is not None:
        from bot.web.charts import write_png

        for path in write_png(figures, png):
            typer.echo(f"wrote {path}")


def register(app: typer.Typer) -> None:
    app.command("report")(report_command)
