"""`renkei outbox …`: the workflow's outgoing work (Slack posts, Kintone, mail, files) that has
not gone out — waiting with its reason and next try, or dead — and retrying the dead."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import typer
from rich.console import Console
from rich.table import Table

from bot import context
from bot.cli.common import print_json
from workflow import repair
from workflow.repair import JobRow
from workflow.schemas import Actor

outbox_app = typer.Typer(help="Outgoing work of tickets: see what did not go out, retry it.",
                         no_args_is_help=True)


def _console() -> Console:
    # Piped or captured output defaults to 80 columns, which folds codes mid-word.
    return Console(width=max(Console().width, 180))


def _short(detail: str, most: int = 160) -> str:
    """A failure's detail folded for the table; `--json` has it whole."""
    return detail if len(detail) <= most else detail[: most - 1] + "… (--json: whole)"


def _table(rows: list[JobRow], tz: ZoneInfo, title: str) -> Table:
    table = Table(title=title, title_justify="left")
    for column in ("job", "ticket", "kind", "state", "tries", "next try (JST)", "code",
                   "detail"):
        table.add_column(column, overflow="fold")
    for r in rows:
        table.add_row(str(r.id), f"#{r.ticket_id}" if r.ticket_id else "-", r.kind, r.state,
                      str(r.attempts),
                      "-" if r.state == "dead"
                      else f"{r.next_attempt_at.astimezone(tz):%Y-%m-%d %H:%M:%S}",
                      r.code or "-", _short(r.detail) or "-")
    return table


def _json(rows: list[JobRow]) -> list[dict[str, object]]:
    return [{"id": r.id, "ticket_id": r.ticket_id, "kind": r.kind, "state": r.state,
             "attempts": r.attempts, "next_attempt_at": r.next_attempt_at.isoformat(),
             "code": r.code, "detail": r.detail, "retry_after": r.retry_after} for r in rows]


@outbox_app.command("list")
def outbox_list(
    dead: bool = typer.Option(False, "--dead", help="Only dead jobs."),
    ticket: int | None = typer.Option(None, "--ticket", help="Only this ticket's jobs."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    limit: int = typer.Option(200, help="At most this many, newest first."),
) -> None:
    """Jobs not sent: pending (with the last failure and next try) and dead."""
    wf = context.default().workflow
    rows = repair.jobs(wf, dead_only=dead, ticket_id=ticket, limit=limit)
    if as_json:
        print_json(_json(rows))
        return
    if not rows:
        typer.echo("no dead jobs" if dead else "nothing waiting: every job went out")
        return
    _console().print(_table(rows, wf.tz, f"{len(rows)} job(s) not sent"))


@outbox_app.command("retry")
def outbox_retry(
    job_id: int | None = typer.Argument(None, help="The dead job to retry."),
    ticket: int | None = typer.Option(None, "--ticket", help="Every dead job of this ticket."),
    dead: bool = typer.Option(False, "--dead", help="Every dead job."),
    user: str = typer.Option("cli", "--as", help="Who retries (written in the audit)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Only print what would be retried."),
) -> None:
    """Put dead jobs back in the queue once their cause is mended (printed first)."""
    if sum(x is not None and x is not False for x in (job_id, ticket, dead or None)) != 1:
        typer.secho("give exactly one of JOB_ID, --ticket N or --dead", fg="red", err=True)
        raise typer.Exit(2)
    wf = context.default().workflow
    dead_rows = [r for r in repair.jobs(wf, dead_only=True, ticket_id=ticket, limit=10_000)
                 if job_id is None or r.id == job_id]
    if not dead_rows:
        typer.echo("nothing to retry: no dead job matches")
        raise typer.Exit(1 if job_id is not None else 0)
    _console().print(_table(dead_rows, wf.tz, f"will retry {len(dead_rows)} dead job(s)"))
    if dry_run:
        return
    actor = Actor(id=f"cli:{user}", role="system", name=user)
    done = repair.retry(wf, actor=actor, job_ids=[r.id for r in dead_rows])
    typer.echo(f"requeued {len(done)} job(s); the running bot sends them at its next tick")


def register(app: typer.Typer) -> None:
    app.add_typer(outbox_app, name="outbox")
