"""`renkei request …`, `renkei tickets …` and `renkei kintone-text`: the workflow from a shell."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from bot import context
from bot.cli.common import field_label, print_json, show_error, user_errors
from workflow.errors import RenkeiError, ValidationFailed
from workflow.forms import date_label_for
from workflow.linkage import StoreLink
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
    raw = json.loads(json_file.read_text(encoding="utf-8")) if json_file else _interactive(kind)
    with user_errors():
        view = wf.file_request(kind, raw, actor=wf.actor(user))
    if as_json:
        print_json(view)
        return
    typer.secho(f"依頼 #{view.id} を登録しました（{view.kind_label}）。", fg="green")
    typer.echo("Kintoneに貼り付ける定型文:\n")
    typer.echo(wf.kintone_text(view.id))


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
    status: str | None = typer.Option(None, help="Only this status (e.g. partner_setup)."),
    requester: str | None = typer.Option(None, help="Only tickets filed by this user."),
    company: str | None = typer.Option(None, help="Only this 企業CD."),
    overdue: bool = typer.Option(False, help="Only tickets past their SLA."),
    open_only: bool = typer.Option(False, "--open", help="Only tickets not verified/cancelled."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Tickets, newest first."""
    views = context.default().workflow.list_tickets(
        status=status, requester=requester, company_code=company, overdue=overdue,
        open_only=open_only)
    if as_json:
        print_json(views)
        return
    if not views:
        typer.echo("該当する依頼はありません。")
    for v in views:
        late = f"  ⚠ {v.days_overdue}営業日超過" if v.days_overdue else ""
        typer.echo(f"#{v.id:<5} {v.kind_label:<6} {v.status_label:<10} {v.company_name}"
                   f"（企業CD {v.company_code}）{len(v.stores)}店舗  {v.date_label} "
                   f"{v.desired_date:%Y-%m-%d}{late}")


def print_ticket(v: TicketView) -> None:
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
        typer.echo(f"    {e.at:%Y-%m-%d %H:%M} {e.actor_name or e.actor}（{e.role_label}）"
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


def _linkage_prompts(view: TicketView) -> tuple[str, list[StoreLink]]:
    from datetime import date

    code = typer.prompt("まかせてネット企業コード（半角数字1〜5桁）")
    links = []
    for s in view.stores:
        typer.echo(f"店舗 {s.code}:{s.name}")
        links.append(StoreLink(
            store_code=s.code,
            makasete_store_code=typer.prompt("  まかせてネット店舗コード（1〜6桁）"),
            start_date=date.fromisoformat(typer.prompt("  連携開始日 (YYYY-MM-DD)")),
            end_date=date.fromisoformat(typer.prompt("  連携終了日 (YYYY-MM-DD)")),
            name=s.name))
    return code, links


@tickets_app.command("advance")
def tickets_advance(
    ticket_id: int,
    action: str = typer.Argument(..., help="A trigger, e.g. request_kintone, send_spec, verify."),
    user: str = AS_USER,
    note: str = typer.Option("", help="A note for the audit trail (the reason for send_back)."),
    linkage_json: Path | None = typer.Option(
        None, "--linkage", help="complete_setup: JSON {makasete_company_code, service (ex|net, "
        "default ex), stores: [{store_code, makasete_store_code, start_date, end_date}]}; "
        "prompted if omitted."),
    form_json: Path | None = typer.Option(None, "--form", help="resubmit: the corrected form."),
) -> None:
    """Move a ticket on by ACTION as USER."""
    wf = context.default().workflow
    extra: dict[str, Any] = {}
    with user_errors():
        if action == "complete_setup":
            if linkage_json:
                data = json.loads(linkage_json.read_text(encoding="utf-8"))
                extra["makasete_company_code"] = str(data.get("makasete_company_code", ""))
                extra["service"] = str(data.get("service") or "ex")
                extra["links"] = [StoreLink(
                    store_code=str(s["store_code"]),
                    makasete_store_code=str(s.get("makasete_store_code", "")),
                    start_date=_date(s.get("start_date")), end_date=_date(s.get("end_date")))
                    for s in data.get("stores", [])]
            else:
                try:
                    extra["makasete_company_code"], extra["links"] = _linkage_prompts(
                        wf.get(ticket_id))
                except ValueError as exc:
                    raise RenkeiError(f"日付は YYYY-MM-DD で入力してください（{exc}）") from None
        if form_json:
            extra["form"] = json.loads(form_json.read_text(encoding="utf-8"))
        view = wf.advance(ticket_id, action, actor=wf.actor(user), note=note, **extra)
    typer.secho(f"#{view.id} → {view.status_label}", fg="green")


def _date(value: Any) -> Any:
    from datetime import date

    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise RenkeiError(f"日付は YYYY-MM-DD で入力してください: {value}") from None


def kintone_text(ticket_id: int) -> None:
    """Print the Kintone 定型文 of a ticket, ready to paste."""
    with user_errors():
        typer.echo(context.default().workflow.kintone_text(ticket_id), nl=False)
