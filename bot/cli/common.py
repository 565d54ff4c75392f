"""What every CLI command shares: printing errors the same way and JSON output."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import typer
from pydantic import BaseModel

from workflow.errors import RenkeiError, ValidationFailed
from workflow.forms import FIELD_LABELS

T = TypeVar("T")


def field_label(field: str) -> str:
    extra = {"note": "理由", "makasete_company_code": "まかせてネット企業コード",
             "makasete_store_code": "まかせてネット店舗コード", "start_date": "連携開始日",
             "end_date": "連携終了日"}
    return FIELD_LABELS.get(field, extra.get(field, field))


def show_error(exc: RenkeiError) -> None:
    if isinstance(exc, ValidationFailed):
        for e in exc.errors:
            label = field_label(e.field)
            # A returned sheet's messages name row, store and column themselves.
            text = e.message if f"{label}:" in e.message else f"{label}: {e.message}"
            typer.secho(f"  ✗ {text}", fg="red", err=True)
    else:
        typer.secho(f"  ✗ {exc.message}", fg="red", err=True)


@contextmanager
def user_errors() -> Iterator[None]:
    """Errors users cause print their Japanese messages and exit 2; nothing is half-saved."""
    try:
        yield
    except RenkeiError as exc:
        show_error(exc)
        raise typer.Exit(2) from None


def print_json(data: BaseModel | list[Any] | dict[str, Any]) -> None:
    if isinstance(data, BaseModel):
        sys.stdout.write(data.model_dump_json(indent=2) + "\n")
        return
    dumped = [d.model_dump(mode="json") if isinstance(d, BaseModel) else d for d in data] \
        if isinstance(data, list) else data
    sys.stdout.write(json.dumps(dumped, ensure_ascii=False, indent=2) + "\n")


def retry_prompt(ask: Callable[[], T]) -> T:
    """Ask again until the answer is accepted (used by interactive prompts)."""
    while True:
        try:
            return ask()
        except RenkeiError as exc:
            show_error(exc)
