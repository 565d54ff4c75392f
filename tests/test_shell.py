"""The terminal adapter: the same handlers, typed at a prompt."""

from __future__ import annotations

import io
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.context import Context
from bot.terminal.shell import Shell
from tests.conftest import NOW
from tests.dbs import Database
from tests.factories import new_raw, walk_to
from tests.kintone_fake import FakeKintone, error
from workflow import repair
from workflow.service import Workflow
from workflow.settings import Settings

pytestmark = pytest.mark.parametrize("database", ["sqlite"], indirect=True)


def _shell(database: Database, script: list[str], files: Path | None = None
           ) -> tuple[Shell, io.StringIO]:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    ctx = Context(settings, database.engine, database.factory,
                  Workflow(database.factory, settings, clock=lambda: NOW))
    out = io.StringIO()
    shell = Shell(ctx, user="tanaka", stdin=io.StringIO("\n".join(script) + "\n"), stdout=out,
                  files_dir=files or Path(database.url.removeprefix("sqlite:///")).parent)
    return shell, out


INTAKE_WITH_ERRORS = [
    "/renkei new",
    "１２３４５６", "abc", "株式会社データ分析",  # 顧客CD (full-width is fine), 企業CD wrong
    "",  # 対象店舗のファイル (none: typed below)
    "0001:居酒屋データ分析 目黒本店", "0002:データ分析カフェ 目黒川店", "",
    "",  # この企業の登録済み店舗をすべて: no
    "2026-11-25",  # too soon
    "",  # 備考 (none)
    "", "",  # お客様のSlackチャンネル, お客様メールアドレス (none)
    "67890", "2026-12-07",  # fix only the two fields in error
]


def test_a_request_from_the_prompt_to_verified(database: Database) -> None:
    script = [*INTAKE_WITH_ERRORS,
              "1",  # Kintone依頼済みにする (as the requester)
              "1",  # 設定依頼書を送付: sales may not
              ":as kikaku", "1", "1",  # 設定依頼書を送付, 連携設定を開始
              "1", "", "12345", "",  # 設定完了: no returned sheet, 企業コード, service (EX)
              "67890", "", "2027-11-30", "67891", "", "2027-11-30",  # per store
              "1", "1",  # お客様へ連絡済み, データ連携を確認
              "/renkei list open", ":quit"]
    shell, out = _shell(database, script)
    shell.run()
    text = out.getvalue()
    assert "✗ 企業CD: 企業CDは半角数字1〜12桁で入力してください" in text
    assert "✗ 連携開始希望日: 連携開始希望日は3営業日以上先の日付を指定してください" in text
    assert "依頼 #1 を登録しました" in text
    assert "│ まかせてネット新規連携依頼になります。" in text  # the Kintone text to copy
    assert "│ ・企業CD：67890" in text
    assert "[1] Kintone依頼済みにする" in text
    assert "「設定依頼書を送付」はUSEN企画のみ操作できます" in text
    assert "ユーザーを kikaku（USEN企画）に切り替えました" in text
    assert "kikaku（USEN企画）が「データ連携を確認しました」→ 連携の確認" in text
    assert "✔ 連携の確認" in text
    # the same senders, rendered here: the 設定依頼書 files and the customer text
    folder = shell.files_dir
    assert f"ファイル: {folder / '設定依頼書_67890_依頼1.xlsx'}" in text
    assert (folder / "設定依頼書_67890_依頼1.xlsx").read_bytes()[:2] == b"PK"
    assert (folder / "設定依頼書_67890_依頼1.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert "お客様へのご連絡を自動で送れませんでした" in text
    assert "│ 件名: 【USENレジ】まかせてネットEXとのデータ連携設定完了のお知らせ" in text
    ticket = shell.handlers.wf.get(1)
    assert ticket.status == "verified"
    assert [e.actor for e in ticket.events] == ["tanaka", "tanaka", "kikaku", "kikaku",
                                                "kikaku", "kikaku", "kikaku"]


def test_send_back_and_resubmit_from_the_prompt(database: Database) -> None:
    intake = [line if line != "abc" else "67890" for line in INTAKE_WITH_ERRORS[:-2]]
    intake[9] = "2026-12-07"
    script = [*intake,
              ":as kikaku", "2", "店舗が足りません", "",  # 差し戻す with a reason
              ":as tanaka", "1",  # 修正して再提出: the form comes back pre-filled
              "", "", "", "", "0003:ラーメン・つけめん札幌店", "", "", "", "",
              "/renkei show 1", "/renkei help", "hello", "9", ":quit"]
    shell, out = _shell(database, script)
    shell.run()
    text = out.getvalue()
    assert "差し戻し理由: 店舗が足りません" in text
    assert "依頼 #1 を再提出しました" in text
    ticket = shell.handlers.wf.get(1)
    assert ticket.status == "contacted"
    assert [s.code for s in ticket.stores] == ["0003"]  # typed lines replace the list
    assert "0120-210-440" in text
    assert "コマンドが分かりません" in text and "その番号のボタンはありません" in text


CLEAN_INTAKE = [line if line != "abc" else "67890" for line in INTAKE_WITH_ERRORS[:-2]]
CLEAN_INTAKE[9] = "2026-12-07"


def test_cancel_asks_yes_or_no_then_a_reason_kept_in_the_audit_trail(database: Database
                                                                      ) -> None:
    script = [*CLEAN_INTAKE,
              "3", "n",  # 取り消す, then no: nothing happens
              "3", "y", "お客様のご都合で見送り", "",  # yes, and the reason
              ":quit"]
    shell, out = _shell(database, script)
    shell.run()
    text = out.getvalue()
    assert text.count("よろしいですか？ [y/N]") == 2
    assert "取り消しをやめました" in text
    ticket = shell.handlers.wf.get(1)
    assert ticket.status == "cancelled"
    last = ticket.events[-1]
    assert (last.action, last.note) == ("cancel", "お客様のご都合で見送り")


def test_filing_and_a_click_print_each_text_once(database: Database) -> None:
    shell, out = _shell(database, [*CLEAN_INTAKE, "1", ":quit"])
    shell.run()
    text = out.getvalue()
    assert text.count("│ まかせてネット新規連携依頼になります。") == 1  # not again in the thread
    assert "（上に表示した内容と同じです）" in text
    clicked = text.split("Kintone依頼済みにする」→ Kintone依頼")[1]
    assert clicked.count("■ 【新規・増店】") == 1  # one card per click, its latest state
    assert "状態: Kintone依頼" in clicked


def test_a_typed_end_date_that_is_not_a_date_says_so(database: Database) -> None:
    script = [*CLEAN_INTAKE, "1", ":as kikaku", "1", "1",  # up to 連携設定
              "1", "", "12345", "",  # 設定完了: no returned sheet, 企業コード, service (EX)
              "67890", "", "来年3月", "67891", "", "2027-11-30",  # per store
              "2027-11-30",  # the end date of 0001 again, now a date
              ":quit"]
    shell, out = _shell(database, script)
    shell.run()
    text = out.getvalue()
    assert "✗ 0001 連携終了日: 連携終了日を日付で入力してください" in text  # not "empty"
    assert "連携終了日を入力してください" not in text
    assert shell.handlers.wf.get(1).status == "setup_completed"


def _drift_shell(database: Database, script: list[str]) -> tuple[Shell, str]:
    """A company linked by demo-data whose store 0001 starts using items never told."""
    from exporter import demo, drift
    from exporter.masters import read_masters
    tz = ZoneInfo("Asia/Tokyo")
    today = NOW.astimezone(tz).date()
    demo.generate(database.factory, company_code="20002", company_name="株式会社テスト",
                  stores=1, days=1, end=today, tz=tz, receipts_per_day=5)
    demo.add_new_items(database.factory, company_code="20002", store_code="0001", day=today,
                       tz=tz)
    assert len(drift.scan(database.factory, today)) == 1
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    ctx = Context(settings, database.engine, database.factory,
                  Workflow(database.factory, settings, clock=lambda: NOW, masters=read_masters))
    out = io.StringIO()
    shell = Shell(ctx, user="tanaka", stdin=io.StringIO("\n".join(script) + "\n"), stdout=out,
                  files_dir=Path(database.url.removeprefix("sqlite:///")).parent)
    shell.run()
    return shell, out.getvalue()


def test_a_drift_draft_is_shown_and_filed_from_the_prompt(database: Database) -> None:
    # 123456, then Enter keeps each pre-filled answer (file and registered stores: none)
    script = [":as kikaku", ":home", "1", "123456", *[""] * 12, ":home", ":quit"]
    shell, text = _drift_shell(database, script)
    assert "株式会社テスト（企業CD 20002）" in text
    assert "支払科目 `09` 楽天ペイ — 0001:居酒屋データ分析 目黒本店（2026-11-24から）" in text
    assert "[1] この内容で設定変更を依頼" in text and "[2] 対象外にする" in text
    assert "未対応の設定変更の下書き" in text and "下書き1　株式会社テスト" in text
    assert "依頼 #1 を登録しました" in text
    assert "設定変更 #1 として依頼しました" in text
    ticket = shell.handlers.wf.get(1)
    assert ticket.kind == "change" and ticket.additions["payment_items"] == ["楽天ペイ"]
    last_home = text.rsplit("未対応の設定変更の下書き", 1)[1]
    assert last_home.splitlines()[1] == "未対応の下書きはありません。"


def test_a_drift_draft_is_ignored_from_the_prompt(database: Database) -> None:
    _, text = _drift_shell(database, ["2", "", "社内テスト用", "", ":quit"])
    assert "対象外にする理由" in text
    assert "対象外にしました（理由: 社内テスト用）" in text


def test_a_300_store_text_prints_whole_in_labelled_parts_and_as_a_file(
        database: Database, tmp_path: Path) -> None:
    """The terminal prints split parts as Slack shows them: labelled (k/n), code verbatim
    (a store name with * or :tada: is not restyled, &<> shown as written), and the .txt."""
    shell, out = _shell(database, [":quit"], files=tmp_path)
    names = [f"店舗{i:03d} *特選* :tada: &<館>" + "名" * 70 for i in range(1, 301)]
    raw = {"customer_code": "123456", "company_code": "67890", "company_name": "株式会社A",
           "stores": "\n".join(f"{i:04d}:{n}" for i, n in enumerate(names, start=1)),
           "desired_date": "2026-12-07", "remarks": ""}
    ticket = shell.notifier.wf.file_request("new", raw, actor=shell.notifier.wf.actor("tanaka"))
    shell.run()
    text = out.getvalue()
    kintone = shell.notifier.wf.kintone_text(ticket.id)
    parts = text.count("（1/")
    assert parts >= 1 and "分割で表示します" in text
    printed = "".join(line.split("│ ", 1)[1] for line in text.splitlines() if "│ " in line)
    # the parts, one after the other, are the 定型文 (line ends aside: a terminal line each)
    assert printed == kintone.replace("\n", "")
    assert (tmp_path / f"renkei-{ticket.id}-kintone.txt").read_text("utf-8") == kintone


def test_a_dead_job_is_counted_on_planning_home_and_retried_from_it(
        database: Database, kintone: FakeKintone) -> None:
    """Kintone refuses the record (400): planning's :home counts it with 「すべて再送する」;
    once Kintone takes records again, the press sends it."""
    settings = Settings(_env_file=None, KINTONE_BASE_URL=kintone.url,  # type: ignore[call-arg]
                        KINTONE_APP_ID=kintone.app_id, KINTONE_API_TOKEN=kintone.token)
    ctx = Context(settings, database.engine, database.factory,
                  Workflow(database.factory, settings, clock=lambda: NOW))
    ticket = ctx.workflow.file_request("new", new_raw(), actor=ctx.workflow.actor("tanaka"))
    kintone.fail(400, body=error("CB_VA01", "入力内容が正しくありません。"))
    walk_to(ctx.workflow, ticket.id, "kintone_requested")
    out = io.StringIO()
    shell = Shell(ctx, user="tanaka", stdin=io.StringIO(":as kikaku\n:home\n"), stdout=out,
                  files_dir=Path(database.url.removeprefix("sqlite:///")).parent)
    shell.run()
    text = out.getvalue()
    assert "送信できなかった送信が 1 件あります" in text and "[1] すべて再送する" in text
    assert [j.kind for j in repair.jobs(ctx.workflow, dead_only=True)] == ["kintone.record"]
    kintone.recover()
    shell.press(1)
    shell.drain()
    assert repair.jobs(ctx.workflow, dead_only=True) == []
    assert len(kintone.records) == 1
    after = out.getvalue()[len(text):]
    assert "送信できなかった送信" not in after.split("■")[-1]  # the Home published again
