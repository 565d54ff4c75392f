"""`renkei stores …`: the まかせてネット linkage screen (seed section 2) from a shell."""

from __future__ import annotations

from datetime import date

import typer

from bot import context
from bot.cli.common import print_json, user_errors
from workflow.errors import FieldError, ValidationFailed
from workflow.linkage import SERVICES, StoreLink

stores_app = typer.Typer(help="Store linkage: まかせてネット codes, dates, 連携状態.",
                         no_args_is_help=True)


@stores_app.command("list")
def stores_list(
    company: str | None = typer.Option(None, help="Only this 企業CD."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Every store with its まかせてネット店舗コード, 連携開始日, 連携終了日 and 連携状態."""
    rows = context.default().workflow.store_links(company)
    if as_json:
        print_json(rows)
        return
    if not rows:
        typer.echo("登録されている企業はありません。")
    current = None
    for r in rows:
        if r.company_code != current:
            current = r.company_code
            typer.secho(f"企業CD {r.company_code} {r.company_name}  まかせてネット企業コード: "
                        f"{r.makasete_company_code or '-'}  連携サービス: "
                        f"{SERVICES.get(r.destination, r.destination)}", bold=True)
        dates = f"{r.start_date or '-'!s:>10} 〜 {r.end_date or '-'!s:<10}"
        typer.echo(f"  {r.store_code}:{r.store_name:<20} {r.makasete_store_code or '-':>6} "
                   f"{dates} {r.state}")


def _parse_date(value: str, field: str, label: str) -> date:
    try:
        return date.fromisoformat(value.replace("/", "-"))
    except ValueError:
        raise ValidationFailed([FieldError(field, f"{label}は YYYY-MM-DD で入力してください")]) \
            from None


@stores_app.command("link")
def stores_link(
    company: str = typer.Option(..., help="USEN 企業CD."),
    store: str = typer.Option(..., help="USEN 店舗CD (e.g. 0001)."),
    makasete_company: str = typer.Option(..., help="まかせてネット企業コード (1-5 digits)."),
    makasete_store: str = typer.Option(..., help="まかせてネット店舗コード (1-6 digits)."),
    start: str = typer.Option(..., help="連携開始日, today or later (YYYY-MM-DD)."),
    end: str = typer.Option(..., help="連携終了日, in the future, not before start."),
    name: str = typer.Option("", help="店舗名, when the store is new to renkei."),
    service: str = typer.Option("ex", help="The company's service: ex (まかせてネットEX) or "
                                           "net (まかせてネット); exports go to "
                                           "EXPORT_DESTINATION or EXPORT_DESTINATION_NET."),
) -> None:
    """Link one store (連携済) once its codes and dates are valid; the mapping registry is
    seeded with the store's 支払科目 / 値割引 / 客層 of this moment."""
    with user_errors():
        rows = context.default().workflow.link_stores(
            company_code=company, makasete_company_code=makasete_company, service=service,
            links=[StoreLink(store, makasete_store, _parse_date(start, "start_date", "連携開始日"),
                             _parse_date(end, "end_date", "連携終了日"), name)])
    typer.secho(f"企業CD {company} 店舗 {store} を連携済にしました（{len(rows)}店舗を表示中）。",
                fg="green")


@stores_app.command("unlink")
def stores_unlink(company: str = typer.Option(..., help="USEN 企業CD.")) -> None:
    """連携解除: unlink every store of the company."""
    with user_errors():
        context.default().workflow.unlink_company(company)
    typer.secho(f"企業CD {company} の連携を解除しました。", fg="green")
