"""What every CLI command shares: printing errors the same way and JSON output."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import typer
from pydantic import BaseModel

from bot import messages
from workflow.errors import RenkeiError, ValidationFailed
from workflow.forms import FIELD_LABELS
from workflow.textfiles import decode

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


def read_text_file(path: Path) -> str:
    """The text of a file people hand us, in whichever encoding Japanese Windows saved it
    (workflow.textfiles.decode: UTF-8 with or without BOM, CP932).

    A missing file, a folder or an undecodable file is a RenkeiError naming the path.
    """
    if path.is_dir():
        raise RenkeiError(messages.file_is_folder(str(path)))
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise RenkeiError(messages.file_missing(str(path))) from None
    except PermissionError:
        raise RenkeiError(messages.file_unreadable(str(path))) from None
    try:
        return decode(data, field="file")
    except ValidationFailed:
        raise RenkeiError(messages.file_encoding(str(path))) from None


def read_json_object(path: Path) -> dict[str, Any]:
    """A JSON object from a file: broken JSON names its line and column, an array is refused."""
    text = read_text_file(path)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RenkeiError(messages.json_broken(str(path), exc.lineno, exc.colno)) from None
    if not isinstance(data, dict):
        found = messages.JSON_KINDS.get(type(data).__name__, type(data).__name__)
        raise RenkeiError(messages.json_not_object(str(path), found))
    return data


def database_trouble(exc: BaseException, url: str) -> str | None:
    """One line for an operator when the database is unreachable, empty or unwritable; None
    when `exc` is something else."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, OperationalError, ProgrammingError

    if isinstance(exc, ArgumentError):
        return f"DATABASE_URL is not a database URL: {url!r}"
    if not isinstance(exc, OperationalError | ProgrammingError):
        return None
    try:
        parsed = make_url(url)
    except Exception:  # an unparsable DATABASE_URL: say so rather than crash while explaining
        return f"DATABASE_URL is not a database URL: {url!r}"
    text = str(getattr(exc, "orig", exc))
    if parsed.get_backend_name() == "sqlite":
        path = Path(parsed.database or "").resolve()
        if "readonly" in text or "unable to open" in text:
            return (f"cannot write the SQLite database {path}: the folder {path.parent} is not "
                    "writable (make it writable or set DATABASE_URL)")
        if "no such table" in text:
            return f"the SQLite database {path} has no renkei tables: run `renkei db upgrade`"
        return None
    if isinstance(exc, ProgrammingError) and ("does not exist" in text or
                                              "UndefinedTable" in type(exc.orig).__name__):
        return (f"the database {parsed.database} at {parsed.host}:{parsed.port or 5432} has no "
                "renkei tables: run `renkei db upgrade`")
    if isinstance(exc, OperationalError):
        return (f"cannot reach the database at {parsed.host or 'localhost'}:"
                f"{parsed.port or 5432} (DATABASE_URL): {text.splitlines()[0] if text else ''}")
    return None


def print_table(headers: Sequence[str], rows: Iterable[Sequence[object]], *,
                title: str | None = None) -> None:
    """A table for people: rich measures each cell's display width, so full-width Japanese
    lines up (padding by code points does not)."""
    from rich import box
    from rich.console import Console
    from rich.table import Table

    table = Table(*headers, title=title, box=box.SIMPLE_HEAD, title_justify="left",
                  title_style="bold", header_style="bold")
    for row in rows:
        table.add_row(*("" if cell is None else str(cell) for cell in row))
    # Piped output (a file, a test) keeps whole lines instead of wrapping at 80 columns.
    console = Console(width=None if sys.stdout.isatty() else 200, highlight=False)
    console.print(table)
