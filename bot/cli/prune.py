"""`renkei db prune`: retention by hand (the bot runs it every night at 04:30 JST)."""

from __future__ import annotations

import typer

from exporter import retention
from exporter.service import runtime
from workflow import retention as workflow_retention


def prune(
    dry_run: bool = typer.Option(False, "--dry-run", help="Print what would go; change nothing."),
) -> None:
    """Prune what retention allows, printing what goes (also nightly at 04:30 JST).

    Records of batches delivered more than EXPORT_RETENTION_DAYS ago (the batch rows stay),
    finished outbox jobs and processed request ids older than RENKEI_OUTBOX_RETENTION_DAYS,
    scheduled fire claims older than 7 days.
    """
    rt = runtime()
    removed = retention.prune_batches(rt.factory, days=rt.xsettings.retention_days,
                                      dry_run=dry_run)
    removed |= workflow_retention.prune(
        rt.factory, outbox_days=rt.settings.outbox_retention_days, dry_run=dry_run)
    verb = "would prune" if dry_run else "pruned"
    typer.echo(f"{verb} (export records after {rt.xsettings.retention_days} days, outbox "
               f"and request ids after {rt.settings.outbox_retention_days} days, fires after "
               f"{workflow_retention.FIRE_RETENTION.days} days):")
    for table, count in removed.items():
        typer.echo(f"  {table:<26} {count:>8}")
    if not dry_run and (vacuumed := workflow_retention.vacuum_when_off(rt.factory)):
        typer.echo(f"autovacuum is off on this PostgreSQL server: vacuumed "
                   f"{', '.join(vacuumed)} (turn autovacuum on)")
