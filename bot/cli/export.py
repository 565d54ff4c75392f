"""`renkei export …` and `renkei demo-data`: the operator's handles on the exporter."""

from __future__ import annotations

import json
import os
import socket
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from bot.cli.common import print_table
from exporter import demo, demo_offline, late, outbox
from exporter.batches import enqueue_close
from exporter.kinds import write_schemas
from exporter.service import Runtime, close_store, parse_close_request, runtime
from exporter.status import store_status
from workflow.calendar import read_date, shown_time
from workflow.errors import FieldError, RenkeiError, ValidationFailed

export_app = typer.Typer(
    help="Exporter: the eight data kinds to まかせてネットEX / まかせてネット.",
    no_args_is_help=True)


def _worker() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:cli"


@contextmanager
def _user_errors() -> Iterator[None]:
    """Errors users cause print one line per field and exit 2."""
    try:
        yield
    except ValidationFailed as exc:
        for e in exc.errors:
            typer.secho(f"  ✗ {e.field}: {e.message}", fg="red", err=True)
        raise typer.Exit(2) from None
    except RenkeiError as exc:
        typer.secho(f"  ✗ {exc.message}", fg="red", err=True)
        raise typer.Exit(2) from None


def _date(value: str, field: str) -> date:
    day = read_date(value, field=field, label=field)
    assert day is not None  # required
    return day


def _drain(rt: Runtime, *, progress: bool = False) -> outbox.DrainResult:
    sender = rt.sender()
    try:
        if not progress:
            return outbox.drain(rt.factory, sender, worker=_worker())
        with _progress() as bar:
            task = bar.add_task("sending", total=outbox.pending_count(rt.factory))
            return outbox.drain(rt.factory, sender, worker=_worker(),
                                on_round=lambda r: bar.advance(task, r.sent + r.dead))
    finally:
        sender.close()


def _progress() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), disable=not sys.stderr.isatty(),
                    console=None, transient=False)


def _summary(result: outbox.DrainResult, rt: Runtime) -> None:
    waiting = outbox.pending_count(rt.factory)
    typer.echo(f"sent {result.sent} batches ({result.records} records), "
               f"retry later {result.retried}, dead {result.dead}, still pending {waiting}")
    if result.dead:
        typer.echo("dead batches: see `renkei export status`, fix the cause, then "
                   "`renkei export retry`")


@export_app.command("close")
def close(
    company: str = typer.Option(..., help="USEN 企業CD."),
    store: str = typer.Option(..., help="USEN 店舗CD (e.g. 0001)."),
    day: str = typer.Option(..., "--date", help="Business date (営業日), YYYY-MM-DD."),
) -> None:
    """A register close (閉局): enqueue the eight kinds of the store's day, then drain."""
    rt = runtime()
    with _user_errors():
        company_code, store_code, business_date = parse_close_request(
            {"company_code": company, "store_code": store, "business_date": day})
        added = close_store(rt.factory, rt.tz, company_code, store_code, business_date)
    typer.echo(f"enqueued {len(added)} batches for {company_code}/{store_code} "
               f"{business_date}" + ("" if added else " (nothing new since the last close)"))
    _summary(_drain(rt), rt)


@export_app.command("drain")
def drain(
    now: bool = typer.Option(False, "--now", help="Ignore backoff: try every pending batch."),
) -> None:
    """Send what is due and exit (the bot's process drains continuously)."""
    rt = runtime()
    if now:
        outbox.make_all_due(rt.factory)
    _summary(_drain(rt, progress=True), rt)


@export_app.command("status")
def status(
    company: str | None = typer.Option(None, help="Only this 企業CD."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Per store: last delivered business date, pending and dead batches, oldest pending."""
    rt = runtime()
    rows = store_status(rt.factory, company_code=company)
    if as_json:
        sys.stdout.write(json.dumps([r.model_dump(mode="json") for r in rows],
                                    ensure_ascii=False, indent=2) + "\n")
        return
    if not rows:
        typer.echo("nothing exported yet")
        return
    table = []
    for r in rows:
        age = "-" if r.oldest_pending_age_seconds is None else \
            _age(r.oldest_pending_age_seconds)
        note = ""
        if r.pending and r.next_attempt_at:
            note = f"next {shown_time(r.next_attempt_at, rt.tz, '%m-%d %H:%M:%S')}"
        if r.last_error:
            note += f"  {r.last_error[:60]}"
        table.append((f"{r.company_code}/{r.store_code}",
                      f"{r.makasete_company_code}/{r.makasete_store_code}", r.delivered,
                      r.last_delivered_date or "-", r.pending, age, r.dead, r.revisions,
                      note.strip()))
    print_table(["store", "makasete", "delivered", "last date", "pending", "oldest", "dead",
                 "revised", "next attempt / error"], table)
    for r in rows:
        for d in r.dead_batches:
            typer.secho(f"    dead {d.idempotency_key}: {d.last_error[:80]}", fg="red")


def _age(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f}s"
    if seconds < 7200:
        return f"{seconds / 60:.0f}m"
    return f"{seconds / 3600:.1f}h"


@export_app.command("retry")
def retry(
    company: str | None = typer.Option(None, help="Only this 企業CD."),
    store: str | None = typer.Option(None, help="Only this 店舗CD."),
    key: str | None = typer.Option(None, help="Only this idempotency key."),
) -> None:
    """Re-queue dead batches (after the cause was fixed), then drain."""
    rt = runtime()
    count = outbox.requeue_dead(rt.factory, company_code=company, store_code=store, key=key)
    typer.echo(f"re-queued {count} dead batches")
    if count:
        _summary(_drain(rt), rt)


@export_app.command("backfill")
def backfill(
    start: str = typer.Option(..., "--from", help="First business date, YYYY-MM-DD."),
    end: str = typer.Option(..., "--to", help="Last business date, YYYY-MM-DD."),
    company: str | None = typer.Option(None, help="Only this 企業CD."),
    store: str | None = typer.Option(None, help="Only this 店舗CD."),
    send: bool = typer.Option(True, "--send/--no-send", help="Drain after enqueueing."),
) -> None:
    """Enqueue the close batches of a range of dates (stores eligible on each date), then send."""
    rt = runtime()
    with _user_errors():
        first, last = _date(start, "from"), _date(end, "to")
        if last < first:
            raise ValidationFailed([FieldError("to", "must not be before --from")])
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    total = 0
    with _progress() as bar:
        task = bar.add_task("enqueueing", total=len(days))
        for day in days:  # one transaction per date: a crash loses no finished date
            total += len(enqueue_close(rt.factory, rt.tz, day, company_code=company,
                                       store_code=store))
            bar.advance(task)
    typer.echo(f"enqueued {total} batches for {len(days)} dates")
    if send:
        _summary(_drain(rt, progress=True), rt)


@export_app.command("scan")
def scan(
    send: bool = typer.Option(True, "--send/--no-send", help="Drain after enqueueing."),
) -> None:
    """The late-data check now (it also runs hourly and after every close).

    Days (and hours) that received register rows after they were frozen are enqueued as
    their next revision."""
    rt = runtime()
    found = late.scan(rt.factory, rt.tz)
    typer.echo(f"rows received since {found.since.astimezone(rt.tz):%Y-%m-%d %H:%M:%S} JST: "
               f"{len(found.late_days)} late days, {len(found.late_hours)} late hours, "
               f"{len(found.enqueued)} revisions enqueued")
    unchanged = 0
    for company, store, day in found.late_days:
        kinds = sorted(e.kind for e in found.enqueued if e.hour is None
                       and (e.company_code, e.store_code, e.business_date) ==
                       (company, store, day))
        if kinds:
            typer.echo(f"  {company}/{store} {day}: revision for " + ", ".join(kinds))
        else:
            unchanged += 1
    if unchanged:
        typer.echo(f"  {unchanged} more days read again: no kind changed, nothing to send")
    if send and found.enqueued:
        _summary(_drain(rt), rt)


@export_app.command("schema")
def schema(out: Path = typer.Option(Path("docs/export-schema"), help="Folder.")) -> None:
    """Write the JSON Schema of the eight kinds and the envelope."""
    for path in write_schemas(out):
        typer.echo(str(path))


def demo_data(
    stores: int = typer.Option(8, min=1, max=100_000, help="How many stores."),
    days: int = typer.Option(7, min=1, max=366, help="How many business dates, up to --end."),
    company: str = typer.Option(demo.DEMO_COMPANY_CODE,
                                help="USEN 企業CD of the demo company (none with tickets)."),
    end: str | None = typer.Option(None, help="Last business date (default: today)."),
    receipts: int | None = typer.Option(None, help="Receipts per store and day (default "
                                                   "40-90, random)."),
    new_items: bool = typer.Option(False, "--new-items", help="Make --store use, from today, "
                                   "a 支払科目, a 値割引 and a 客層 the partner was never told."),
    offline_days: int | None = typer.Option(
        None, "--offline-days", min=1, max=366,
        help="Instead: --store's register was offline over the last N days up to --end; the "
             "receipts it made then arrive now (then `renkei export scan`)."),
    store: str | None = typer.Option(None, help="USEN 店舗CD for --new-items or "
                                                "--offline-days."),
) -> None:
    """Fill the POS tables with realistic sample data and link the stores (連携済).

    Linking seeds the mapping registry with the masters of that moment."""
    rt = runtime()
    if new_items:
        _new_items(rt, company, store)
        return
    with _user_errors():
        last = _date(end, "end") if end else rt.settings.clock()().astimezone(rt.tz).date()
        if offline_days is not None:
            if not store:
                raise ValidationFailed([FieldError("store", "--offline-days needs --store")])
            _offline(rt, company, store, offline_days, last, receipts)
            return
        with rt.factory() as session:  # sample sales never land on a company with requests
            demo.refuse_real_company(session, company)
        counts = demo.generate(rt.factory, company_code=company, stores=stores, days=days,
                               end=last, tz=rt.tz, receipts_per_day=receipts)
    typer.echo(f"company {company}: {counts['stores']} stores linked, {counts['receipts']} "
               f"receipts, {counts['lines']} lines over {days} days up to {last}")
    typer.echo("note: demo linkage starts in the past so past days export; real linkage "
               "(renkei stores link, 設定完了) requires 連携開始日 today or later")
    typer.echo(f"next: renkei export backfill --from {last - timedelta(days=days - 1)} "
               f"--to {last}   (files under {rt.settings.export_destination})")


def _new_items(rt: Runtime, company: str, store: str | None) -> None:
    if not store:
        typer.secho("--new-items needs --store 店舗CD", fg="red", err=True)
        raise typer.Exit(2)
    today = rt.settings.clock()().astimezone(rt.tz).date()
    try:
        items = demo.add_new_items(rt.factory, company_code=company, store_code=store,
                                   day=today, tz=rt.tz)
    except ValueError as exc:
        typer.secho(str(exc), fg="red", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"company {company} store {store} uses from {today}: " + ", ".join(
        f"{kind} {code}:{name}" for kind, (code, name) in items.items()))
    typer.echo("next: renkei mapping scan   (then renkei mapping drift)")


def _offline(rt: Runtime, company: str, store: str, days: int, last: date,
             receipts: int | None) -> None:
    added = demo_offline.arrive_offline(rt.factory, company_code=company, store_code=store,
                                        days=days, end=last, tz=rt.tz,
                                        now=rt.settings.clock()().astimezone(rt.tz),
                                        receipts_per_day=receipts)
    for day, count in added.items():
        typer.echo(f"{company}/{store} {day}: {count} receipts made offline arrived now")
    typer.echo("next: renkei export scan   (days already sent go out again as their next "
               "revision; days not yet closed go out at their close)")


def register(app: typer.Typer) -> None:
    """Add `renkei export …` and `renkei demo-data` to the main CLI."""
    app.add_typer(export_app, name="export")
    app.command("demo-data")(demo_data)
