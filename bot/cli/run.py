"""`renkei run` and `renkei shell`: the bot on the transport the settings choose, or the
terminal adapter."""

from __future__ import annotations

import typer

from bot import context


def run(
    port: int | None = typer.Option(None, help="HTTP port (default RENKEI_HTTP_PORT, 3000)."),
    host: str = typer.Option("0.0.0.0", help="HTTP address to listen on."),
    user: str = typer.Option("sales", "--as", help="Terminal adapter: start as this user."),
    single_process: bool = typer.Option(
        False, help="Run the outbox senders and scheduler in the serving process instead of "
        "a lower-priority child process."),
) -> None:
    """Run the bot on the transport the settings choose.

    Socket Mode with SLACK_APP_TOKEN, else HTTP with SLACK_SIGNING_SECRET, else the terminal
    adapter on the embedded SQLite database. With RENKEI_POS_PORT, the register's
    POST /pos/close is served on that internal port only."""
    from bot.runtime import run as run_bot

    run_bot(context.default(), port=port, host=host, user=user, single_process=single_process)


def shell(user: str = typer.Option("sales", "--as", help="Start as this user.")) -> None:
    """The Slack handlers in the terminal: /renkei new, numbered buttons, `:as USER`."""
    from bot.terminal.shell import Shell

    Shell(context.default(), user=user).run()


def register(app: typer.Typer) -> None:
    app.command("run")(run)
    app.command("shell")(shell)
