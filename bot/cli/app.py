"""The `renkei` command: run the bot, work tickets, manage linkage and the database."""

from __future__ import annotations

import logging
from pathlib import Path

import typer

from bot import context
from bot.cli import export, prune
from bot.cli import outbox as cli_outbox
from bot.cli import report as cli_report
from bot.cli import run as cli_run
from bot.cli import tickets as cli_tickets
from bot.cli.mapping import mapping_app
from bot.cli.stores import stores_app
from bot.cli.tickets import request_app, tickets_app

app = typer.Typer(
    help="renkei: USEN Reji ⇄ まかせてネットEX integration requests, from first call to data.",
    no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)
app.add_typer(request_app, name="request")
app.add_typer(tickets_app, name="tickets")
app.add_typer(stores_app, name="stores")
app.add_typer(mapping_app, name="mapping")
app.command("kintone-text")(cli_tickets.kintone_text)
cli_run.register(app)

db_app = typer.Typer(help="Database schema and retention.", no_args_is_help=True)
app.add_typer(db_app, name="db")

db_app.command("prune")(prune.prune)
export.register(app)  # `renkei export …` and `renkei demo-data`
cli_outbox.register(app)  # `renkei outbox list | retry`
cli_report.register(app)  # `renkei report`


@db_app.command("upgrade")
def db_upgrade(revision: str = typer.Argument("heads")) -> None:
    """Apply migrations to DATABASE_URL (the SQLite default is migrated on first use anyway)."""
    from workflow.migrate import upgrade
    from workflow.settings import get_settings

    upgrade(get_settings().database_url, revision)
    typer.echo(f"database at {revision}")


@app.command()
def diagram(
    check: Path | None = typer.Option(None, help="Exit 1 if this file's diagram differs."),
) -> None:
    """Print the state diagram (mermaid), generated from the machine table."""
    from workflow.machine import mermaid

    text = mermaid()
    if check is not None:
        if f"```mermaid\n{text}```" not in check.read_text(encoding="utf-8"):
            typer.secho(f"{check}: the diagram differs from `renkei diagram`", fg="red", err=True)
            raise typer.Exit(1)
        return
    typer.echo(text, nl=False)


@app.callback()
def _setup(verbose: bool = typer.Option(False, "-v", "--verbose", help="Debug logging.")) -> None:
    logging.basicConfig(level=logging.DEBUG if verbose else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # Their INFO lines (each migration check, each state callback) drown what users read.
    for noisy in ("httpx", "alembic", "transitions"):
        logging.getLogger(noisy).setLevel(logging.DEBUG if verbose else logging.WARNING)


def main() -> None:
    """The console script: click's own handling, plus one line (never a traceback) for a
    database that is unreachable, empty or unwritable (exit 3) and a Japanese 中止 on ^C/EOF."""
    import sys

    from sqlalchemy.exc import SQLAlchemyError
    from typer import rich_utils
    from typer.exceptions import Abort, TyperException

    from bot import messages
    from bot.cli.common import database_trouble
    from workflow.settings import get_settings

    try:
        code = app(standalone_mode=False)
    except (Abort, KeyboardInterrupt, EOFError):
        # typer's own "Aborted!" is English in the middle of Japanese prompts
        typer.secho(messages.CLI_ABORTED, err=True)
        sys.exit(1)
    except TyperException as exc:  # usage errors: shown as typer shows them
        rich_utils.rich_format_error(exc)  # type: ignore[arg-type]
        sys.exit(exc.exit_code)
    except SQLAlchemyError as exc:
        line = database_trouble(exc, get_settings().database_url)
        if line is None:
            raise
        typer.secho(f"renkei: {line}", fg="red", err=True)
        sys.exit(3)
    sys.exit(code if isinstance(code, int) else 0)


__all__ = ["app", "context", "main"]
