"""`renkei stores …`: the まかせてネット linkage screen (seed section 2) from a shell."""

from __future__ import annotations

import typer

from bot import context
from bot.cli.common import print_json, print_table, user_errors
from workflow.linkage import SERVICES, RawLink, usen_company_code

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
    for code in dict.fromkeys(r.company_code for r in rows):
        mine = [r for r in rows if r.company_code == code]
        first = mine[0]
        typer.secho(f"企業CD {code} {first.company_name}  まかせてネット企業コード: "
                    f"{first.makasete_company_code or '-'}  連携サービス: "
                    f"{SERVICES.get(first.destination, first.destination)}", bold=True)
        print_table(
            ["店舗情報", "まかせてネット店舗コード", "連携開始日", "連携終了日", "連携状態"],
            [(f"{r.store_code}:{r.store_name}", r.makasete_store_code or "-",
              r.start_date or "-", r.end_date or "-", r.state) for r in mine])


@stores_app.command("link")
def stores_link(
    company: str = typer.Option(..., help="USEN 企業CD (a company renkei knows from a request)."),
    store: str = typer.Option(..., help="USEN 店舗CD (e.g. 0001)."),
    makasete_company: str = typer.Option(..., help="まかせてネット企業コード (1-5 digits)."),
    makasete_store: str = typer.Option(..., help="まかせてネット店舗コード (1-6 digits), unique "
                                       "within the まかせてネット企業コード."),
    start: str = typer.Option(..., help="連携開始日, today or later unless unchanged "
                              "(YYYY-MM-DD)."),
    end: str = typer.Option(..., help="連携終了日, in the future, not before start."),
    name: str = typer.Option("", help="店舗名, when the store is new to renkei."),
    replace_company_code: bool = typer.Option(
        False, "--replace-company-code",
        help="Allow replacing the company's current まかせてネット企業コード."),
    service: str = typer.Option("ex", help="The company's service: ex (まかせてネットEX) or "
                                           "net (まかせてネット); exports go to "
                                           "EXPORT_DESTINATION or EXPORT_DESTINATION_NET."),
) -> None:
    """Link one store (連携済) once its codes and dates are valid (seed 2-2 rules).

    The mapping registry is seeded with the store's 支払科目 / 値割引 / 客層 of this moment."""
    wf = context.default().workflow
    with user_errors():
        code = usen_company_code(company)
        before = next((r.makasete_company_code for r in wf.store_links(code)), None)
        rows = wf.link_stores(
            company_code=code, makasete_company_code=makasete_company, service=service,
            links=[RawLink(store, makasete_store, start, end, name=name)],
            replace_company_code=replace_company_code)
    after = next((r.makasete_company_code for r in rows), None)
    if before and after != before:
        typer.secho(f"まかせてネット企業コードを {before} から {after} に置き換えました。",
                    fg="yellow")
    typer.secho(f"企業CD {code} 店舗 {store} を連携済にしました（{len(rows)}店舗を表示中）。",
                fg="green")


@stores_app.command("unlink")
def stores_unlink(company: str = typer.Option(..., help="USEN 企業CD.")) -> None:
    """連携解除: unlink every store of the company."""
    with user_errors():
        context.default().workflow.unlink_company(company)
    typer.secho(f"企業CD {company} の連携を解除しました。", fg="green")
