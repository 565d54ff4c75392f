"""The `renkei` command, one module per noun (tickets, stores, export, …)."""

from bot.cli.app import app, main

__all__ = ["app", "main"]
