"""Long texts and listings (Slack's limits)."""

from __future__ import annotations


# ---- long texts and listings (Slack's limits) -----------------------------------------------
def part_label(number: int, total: int) -> str:
    return f"（{number}/{total}）"


def split_notice(total: int) -> str:
    return (f"長いため{total}分割で表示します。（1/{total}）から順に、続けて貼り付けてください"
            "（全文は添付の .txt ファイルにもあります）。")


def plain_fallback(text: str) -> str:
    """A heading as the notification text (no markup, short)."""
    return text.replace("*", "")[:300]


def parts_fallback(first: int, last: int, total: int) -> str:
    shown = f"{first}" if first == last else f"{first}〜{last}"
    return f"続き（{shown}/{total}）"


def txt_comment(what: str) -> str:
    return f":page_facing_up: {what}の全文（.txt ファイル）です。"


TXT_KINTONE = "Kintone定型文"
TXT_COMPLETION = "Kintoneへの完了報告"
TXT_CUSTOMER = "お客様へのご連絡文"


def text_elsewhere(what: str, chars: int, ticket_id: int) -> str:
    return (f"{what}（{chars:,}文字）は長いため、ここには表示していません。"
            f"全文は依頼 #{ticket_id} のスレッドの .txt ファイルにあります"
            "（「Kintone定型文」ボタンでも分割して表示します）。")


def kintone_too_long(chars: int) -> str:
    return (f"Kintone定型文（{chars:,}文字）は長いため、ここには表示していません。"
            "「Kintone定型文」ボタンで分割して表示します。")


def history_more(n: int, ticket_id: int) -> str:
    return f"ほか{n}件（古い履歴）は `renkei tickets show {ticket_id}` またはスレッドで"


def listing_more(n: int, command: str) -> str:
    return f"ほか{n}件は `{command}` で"


def additions_more(n: int) -> str:
    return f" ほか{n}件（全件は定型文の備考に）"


def all_stores_where() -> str:
    return "（全店舗は「Kintone定型文」と設定依頼書に）"


def linkage_bulk_notice(stores: int, inputs: int) -> str:
    return (f"対象店舗が{stores}店舗あるため、1行に1店舗の形式で入力します"
            f"（入力欄{inputs}つに分けています。どの欄に書いても構いません）。")


def reason_more(chars: int) -> str:
    return f"…（全文{chars:,}文字はスレッドに）"
HOME_MORE_MINE = "/renkei list"
HOME_MORE_OPEN = "/renkei list open"
HOME_MORE_OVERDUE = "/renkei list overdue"
# Where the whole list is when `/renkei list` shows only what fits.
def list_cli(which: str, user: str) -> str:
    return {"open": "renkei tickets list --open",
            "overdue": "renkei tickets list --overdue"}.get(
        which, f"renkei tickets list --requester {user}")
