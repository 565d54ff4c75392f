"""`renkei request …`, `renkei tickets …` and `renkei kintone-text`: the workflow from a shell."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import typer

from bot import context, messages
from bot.cli.common import (
    field_label,
    print_json,
    print_table,
    read_json_object,
    retry_prompt,
    show_error,
    user_errors,
)
from workflow.calendar import read_date, shown_time
from workflow.errors import RenkeiError, ValidationFailed
from workflow.forms import date_label_for
from workflow.labels import step_label
from workflow.linkage import RawLink
from workflow.linkage_sheet import ReturnedSheet, read_returned
from workflow.machine import STATES, TRIGGERS
from workflow.schemas import TicketView

request_app = typer.Typer(help="File a new integration request (新規・増店 or 設定変更).",
                          no_args_is_help=True)
tickets_app = typer.Typer(help="List, show and advance tickets.", no_args_is_help=True)

AS_USER = typer.Option("cli", "--as", help="Act as this user (role from RENKEI_PLANNING_USERS).")


def _read_lines(label: str) -> str:
    typer.echo(f"{label}（1行に1件。空行で終了）:")
    lines: list[str] = []
    while True:
        line = typer.prompt("", default="", show_default=False, prompt_suffix="  > ")
        if not line.strip():
            return "\n".join(lines)
        lines.append(line)


def _ask(field: str, kind: str) -> str:
    if field == "stores":
        return _read_lines("対象店舗（例: 0001:居酒屋データ分析 目黒本店）")
    if field in ("payment_items", "discounts", "customer_segments"):
        return _read_lines(field_label(field))
    label = date_label_for(kind) + "（例: 2026-12-01）" if field == "desired_date" \
        else field_label(field)
    optional = field == "remarks"
    return str(typer.prompt(label, default="" if optional else None,
                            show_default=False))


def _interactive(kind: str) -> dict[str, Any]:
    fields = ["customer_code", "company_code", "company_name", "stores", "desired_date"]
    if kind == "change":
        fields += ["payment_items", "discounts", "customer_segments"]
    fields.append("remarks")
    raw = {f: _ask(f, kind) for f in fields}
    wf = context.default().workflow
    while True:
        try:
            wf.parse(kind, raw)
            return raw
        except ValidationFailed as exc:
            show_error(exc)
            typer.echo("エラーのある項目だけ、もう一度入力してください。")
            for field in dict.fromkeys(e.field for e in exc.errors):
                if field in raw:
                    raw[field] = _ask(field, kind)


def _file(kind: str, json_file: Path | None, user: str, as_json: bool) -> None:
    wf = context.default().workflow
    with user_errors():
        raw = read_json_object(json_file) if json_file else _interactive(kind)
        view = wf.file_request(kind, raw, actor=wf.actor(user))
    if as_json:
        print_json(view)
        return
    typer.secho(f"依頼 #{view.id} を登録しました（{view.kind_label}）。", fg="green")
    typer.echo("Kintoneに貼り付ける定型文:\n")
    typer.echo(wf.kintone_text(view.id))
    typer.echo(messages.CLI_SENT_BY_RUN)


@request_app.command("new")
def request_new(
    json_file: Path | None = typer.Option(None, "--json", help="Read the form from a JSON file."),
    user: str = AS_USER,
    as_json: bool = typer.Option(False, "--print-json", help="Print the ticket as JSON."),
) -> None:
    """新規・増店: a new integration or more stores."""
    _file("new", json_file, user, as_json)


@request_app.command("change")
def request_change(
    json_file: Path | None = typer.Option(None, "--json", help="Read the form from a JSON file."),
    user: str = AS_USER,
    as_json: bool = typer.Option(False, "--print-json", help="Print the ticket as JSON."),
) -> None:
    """設定変更: added 支払科目 / 値割引 / 客層."""
    _file("change", json_file, user, as_json)


@tickets_app.command("list")
def tickets_list(
    status: str | None = typer.Option(
        None, help="Only this status: " + ", ".join(STATES) + "."),
    requester: str | None = typer.Option(None, help="Only tickets filed by this user."),
    company: str | None = typer.Option(None, help="Only this 企業CD."),
    overdue: bool = typer.Option(False, help="Only tickets past their SLA."),
    open_only: bool = typer.Option(False, "--open", help="Only tickets not verified/cancelled."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Tickets, newest first."""
    if status is not None and status not in STATES:
        with user_errors():
            raise RenkeiError(messages.unknown_status(
                status, [(s, step_label(s, None)) for s in STATES]))
    views = context.default().workflow.list_tickets(
        status=status, requester=requester, company_code=company, overdue=overdue,
        open_only=open_only)
    if as_json:
        print_json(views)
        return
    if not views:
        typer.echo("該当する依頼はありません。")
        return
    print_table(
        ["#", "種別", "状態", "企業名", "企業CD", "店舗数", "希望日", "期限超過"],
        [(v.id, v.kind_label, v.status_label, v.company_name, v.company_code,
          len(v.stores), f"{v.desired_date:%Y-%m-%d}（{v.date_label}）",
          f"⚠ {v.days_overdue}営業日" if v.days_overdue else "") for v in views])


def print_ticket(v: TicketView) -> None:
    tz = context.default().workflow.tz
    typer.secho(f"#{v.id} {v.kind_label} — {v.status_label}", bold=True)
    typer.echo(f"  顧客CD {v.customer_code} / 企業CD {v.company_code} / {v.company_name}")
    for s in v.stores:
        typer.echo(f"  店舗 {s.code}:{s.name}")
    typer.echo(f"  {v.date_label}: {v.desired_date:%Y-%m-%d}")
    if v.sla_due:
        typer.echo(f"  連携設定の期限: {v.sla_due:%Y-%m-%d}"
                   + (f"（{v.days_overdue}営業日超過）" if v.days_overdue else ""))
    if v.return_reason:
        typer.echo(f"  差し戻し理由: {v.return_reason}")
    typer.echo("  履歴:")
    for e in v.events:
        note = f" — {e.note}" if e.note else ""
        typer.echo(f"    {shown_time(e.at, tz)} {e.actor_name or e.actor}（{e.role_label}）"
                   f" {e.action_label} → {e.to_label}{note}")
    if v.actions:
        typer.echo("  次にできる操作: " + ", ".join(f"{a.action}（{a.label}）" for a in v.actions))


@tickets_app.command("show")
def tickets_show(
    ticket_id: int,
    as_json: bool = typer.Option(False, "--json", help="Print JSON (with the actions of --as)."),
    user: str = AS_USER,
) -> None:
    """One ticket: form, stores, events and what USER may do now."""
    wf = context.default().workflow
    with user_errors():
        view = wf.get(ticket_id, actor=wf.actor(user))
    print_json(view) if as_json else print_ticket(view)


def _prompt_date(label: str, field: str) -> date:
    """Ask until the answer is a date (the message says it is not one, and why)."""
    def ask() -> date:
        day = read_date(typer.prompt(f"  {label} (YYYY-MM-DD)"), field=field, label=label)
        assert day is not None  # required
        return day
    return retry_prompt(ask)


def _linkage_prompts(view: TicketView) -> tuple[str, list[RawLink]]:
    code = str(typer.prompt("まかせてネット企業コード（半角数字1〜5桁）"))
    links = []
    for s in view.stores:
        typer.echo(f"店舗 {s.code}:{s.name}")
        # Dates are asked again until they are dates; the rows then go to the one parser.
        links.append(RawLink(
            s.code, typer.prompt("  まかせてネット店舗コード（1〜6桁）"),
            _prompt_date("連携開始日", "start_date").isoformat(),
            _prompt_date("連携終了日", "end_date").isoformat()))
    return code, links


def _linkage_file(path: Path, view: TicketView) -> ReturnedSheet:
    """A returned 設定依頼書 (.xlsx/.csv) or a JSON file, read like the Slack upload."""
    if not path.is_file():
        raise RenkeiError(f"ファイルがありません: {path}" if not path.exists()
                          else f"ファイルではありません（フォルダです）: {path}")
    return read_returned(path.read_bytes(), path.name, targets=[s.code for s in view.stores])


@tickets_app.command("advance")
def tickets_advance(
    ticket_id: int,
    action: str = typer.Argument(..., help="A trigger, e.g. request_kintone, send_spec, verify."),
    user: str = AS_USER,
    note: str = typer.Option("", help="A note for the audit trail (the reason for send_back)."),
    linkage_file: Path | None = typer.Option(
        None, "--linkage", help="complete_setup: the returned 設定依頼書 (.xlsx or .csv, with "
        "the まかせてネット columns filled) or JSON {makasete_company_code, service (ex|net; "
        "omitted: the company's, ex for a new one), stores: [{store_code, makasete_store_code, "
        "start_date, end_date}]}; prompted if omitted."),
    form_json: Path | None = typer.Option(None, "--form", help="resubmit: the corrected form."),
) -> None:
    """Move a ticket on by ACTION as USER."""
    wf = context.default().workflow
    extra: dict[str, Any] = {}
    if not note.strip() and "has_note" in TRIGGERS.get(action, {}).get("guards", ()):
        # 差し戻し and 取消 need a reason for the audit trail: ask rather than refuse.
        note = typer.prompt(messages.CANCEL_NOTE_LABEL if action == "cancel"
                            else field_label("note"))
    with user_errors():
        if action == "complete_setup":
            view = wf.get(ticket_id)
            if linkage_file:
                sheet = _linkage_file(linkage_file, view)
                extra.update(makasete_company_code=sheet.makasete_company_code,
                             links=sheet.rows, service=sheet.service)
            else:
                extra["makasete_company_code"], extra["links"] = _linkage_prompts(view)
        if form_json:
            extra["form"] = read_json_object(form_json)
        view = wf.advance(ticket_id, action, actor=wf.actor(user), note=note, **extra)
    typer.secho(f"#{view.id} → {view.status_label}", fg="green")
    typer.echo(messages.CLI_SENT_BY_RUN)


def kintone_text(ticket_id: int) -> None:
    """Print the Kintone 定型文 of a ticket, ready to paste."""
    with user_errors():
        typer.echo(context.default().workflow.kintone_text(ticket_id), nl=False)
