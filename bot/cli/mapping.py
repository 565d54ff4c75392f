"""`renkei mapping …`: the mapping registry (what the partner was told) and drift drafts."""

from __future__ import annotations

from datetime import datetime

import typer

from bot import context
from bot.cli.common import print_json, print_table, user_errors
from workflow import drafts
from workflow.calendar import read_date, shown_time
from workflow.mapping import FILED, IGNORED, OPEN, TYPE_LABELS

mapping_app = typer.Typer(help="Mapping registry (支払科目 / 値割引 / 客層 told to the partner) "
                               "and drift drafts.", no_args_is_help=True)


@mapping_app.command("list")
def mapping_list(
    company: str = typer.Option(..., help="USEN 企業CD."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """What the partner has been told for a company: code, name, when, by which ticket."""
    wf = context.default().workflow
    rows = drafts.registry(wf, company)
    if as_json:
        print_json(rows)
        return
    if not rows:
        typer.echo(f"企業CD {company}: 登録された支払科目・値割引・客層はありません。")
        return
    print_table(["種類", "コード", "名称", "連絡日時", "依頼"], [
        (r["label"], r["code"] or "(名称のみ)", r["name"],
         shown_time(datetime.fromisoformat(r["told_at"]), wf.tz),
         f"#{r['ticket_id']} {r['source_label']}" if r["ticket_id"] else r["source_label"])
        for r in rows])


@mapping_app.command("drift")
def mapping_drift(
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    show_all: bool = typer.Option(False, "--all", help="Filed and ignored drafts too, with "
                                                       "who closed them and why."),
) -> None:
    """Open 設定変更 drafts: new items seen in the data, per company."""
    rows = drafts.list_drafts(context.default().workflow, state=None if show_all else OPEN)
    if as_json:
        print_json([d.payload for d in rows])
        return
    if not rows:
        typer.echo("未対応の設定変更の下書きはありません。")
    for d in rows:
        typer.secho(f"下書き {d.id}  企業CD {d.company_code} {d.company_name}  "
                    f"依頼者: {d.requester or '(企画)'}", bold=True)
        if d.state == FILED:
            typer.echo(f"  依頼済み: 設定変更 #{d.ticket_id}（{d.closed_by}）")
        elif d.state == IGNORED:
            typer.echo(f"  対象外: {d.reason}（{d.closed_by}）")
        for i in d.items:
            where = ", ".join(i["stores"]) or "企業マスタ"
            typer.echo(f"  {TYPE_LABELS[i['item_type']]} {i['code']}:{i['name']}  "
                       f"店舗 {where}  {i['since']}から")


@mapping_app.command("scan")
def mapping_scan(
    day: str | None = typer.Option(None, "--date", help="Business date (default: today)."),
    company: str | None = typer.Option(None, help="Only this USEN 企業CD."),
) -> None:
    """Run the drift check now (it also runs after every close and hourly)."""
    from exporter import drift
    ctx = context.default()
    with user_errors():
        when = read_date(day, field="--date", label="--date", required=False) \
            or ctx.workflow.today()
    found = drift.scan(ctx.factory, when, company_codes={company} if company else None)
    if not found:
        typer.echo(f"{when}: no new items (nothing drafted)")
    for d in found:
        typer.echo(f"{when}: company {d.company_code}: {len(d.items)} new items in draft "
                   f"{d.draft_id}: " + ", ".join(f"{i.item_type} {i.code}:{i.name}"
                                                 for i in d.items))
