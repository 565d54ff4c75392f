"""Web pages for people without Slack (bot/web)."""

from __future__ import annotations

# ---- web pages for people without Slack (bot/web) -------------------------------------------
WEB_FOOTER = "USEN まかせてネット連携窓口"
WEB_REFUSED_TITLE = "このリンクはご利用いただけません"
WEB_REFUSED = {
    "invalid": "リンクが正しくないか、別のご案内用のリンクです。お手数ですが、メールに記載された"
               "リンクをそのまま開いてください。",
    "expired": "リンクの有効期限が切れています。お手数ですが、USENの担当者まで"
               "お問い合わせください。",
    "superseded": "このご依頼について新しいご案内をお送りしています。お手数ですが、最新のメールの"
                  "リンクを開いてください。",
    "gone": "このご依頼は取り消されたか、見つかりませんでした。ご不明な点はUSENの担当者まで"
            "お問い合わせください。",
}
WEB_FORM_EXPIRED = ("画面の有効期限が切れました。お手数ですが、ページを開き直してから"
                    "お送りください。")
WEB_NOT_FOUND = "ページが見つかりません。"
WEB_OPERATOR_ONLY = ("このページを見るには、App Homeの「ダッシュボードを開く」か"
                     "運用トークンが必要です。")

WEB_CUSTOMER_TITLE = "データ連携のご確認"
WEB_CUSTOMER_INTRO = ("データ連携の設定が完了いたしました。下記の店舗のデータが連携されていることを"
                      "ご確認のうえ、ボタンを押してください。")
WEB_CUSTOMER_BUTTON = "データ連携を確認しました"
WEB_CUSTOMER_DONE = "ご確認ありがとうございました。USENの担当者にもお知らせしました。"
WEB_CUSTOMER_USED = "確認済みです"
WEB_CUSTOMER_NOT_YET = "まだ設定完了のご連絡前です。ご連絡後にこのページからご確認いただけます。"

WEB_PARTNER_TITLE = "連携設定の完了連絡（設定完了連絡）"
WEB_PARTNER_INTRO = ("まかせてネットEX側の連携設定が終わりましたら、初回データ連携設定画面（2-2）と"
                     "同じ内容を入力して「設定完了を連絡する」を押してください。")
WEB_PARTNER_REQUEST = "ご依頼の内容"
WEB_PARTNER_STORES = "店舗情報"
WEB_PARTNER_SUBMIT = "設定完了を連絡する"
WEB_PARTNER_XLSX = "記入済みの設定依頼書（.xlsx）で連絡する"
WEB_PARTNER_XLSX_HINT = ("店舗ごとのまかせてネット店舗コード・連携開始日・連携終了日を"
                         "記入した設定依頼書")
WEB_PARTNER_XLSX_SUBMIT = "ファイルを送る"
WEB_PARTNER_XLSX_BAD = ("設定依頼書（.xlsx）を読み取れませんでした。"
                        "お送りいただいたファイルをご確認ください。")
WEB_PARTNER_FIX = "入力内容に誤りがあります。赤字の項目をご確認ください。"
WEB_PARTNER_DONE = "設定完了のご連絡を受け付けました。ありがとうございました。"
WEB_PARTNER_USED = "設定完了のご連絡は受付済みです"
WEB_PARTNER_NOT_YET = ("USEN企画が連携設定を開始すると、このページから設定完了を"
                       "ご連絡いただけます。しばらくお待ちください。")
WEB_PARTNER_HINTS = {
    "makasete_company_code": "最小1桁、最大5桁の半角数字"
                             "（まかせてネット側でPOS企業コードと紐づけます）",
    "makasete_store_code": "最小1桁、最大6桁（例: 67890）",
    "start_date": "本日以降",
    "end_date": "未来日",
}
WEB_ADDITIONS = "設定変更の内容（追加された項目）"


def partner_mail_subject(ticket_id: int, company_name: str) -> str:
    return f"【USEN】まかせてネットEX 連携設定依頼書（{company_name}様・依頼#{ticket_id}）"


def partner_mail_body(company_name: str, stores: int, url: str | None, days: int) -> str:
    link = (f"設定が終わりましたら、下記のページから設定完了をご連絡ください（{days}日間有効）。\n"
            f"{url}\n" if url else "設定が終わりましたら、USEN企画まで設定完了をご連絡ください。\n")
    return ("ジャストプランニング ご担当者様\n\n"
            "いつもお世話になっております。USEN企画でございます。\n\n"
            f"{company_name}様（{stores}店舗）のまかせてネットEX連携設定をお願いいたします。\n"
            "設定依頼書（.xlsx / .csv）を添付いたします。\n\n" + link +
            "\nよろしくお願いいたします。\n")


def customer_link_section(url: str, days: int) -> str:
    return (f"\n\nデータが届いていることをご確認いただけましたら、下記のページで"
            f"「{WEB_CUSTOMER_BUTTON}」を押してください（{days}日間有効）。\n{url}\n")


def partner_reported(mention: str) -> str:
    who = f"{mention} " if mention else ""
    return (f"{who}ジャストプランニングから設定完了連絡が届きました。連携設定の内容をご確認のうえ、"
            "Kintoneで完了報告をお願いします。")


DASHBOARD_BUTTON = "ダッシュボードを開く"
WEB_DASH_TITLE = "renkei ダッシュボード"
WEB_DASH_PERIOD = "集計期間（JST）"
WEB_DASH_STEPS = "ステップ別の依頼数"
WEB_DASH_OVERDUE = "連携設定の期限超過"
WEB_DASH_CYCLE = "ステップ別の所要時間（中央値・p90）"
WEB_DASH_SLA = "パートナーSLA遵守率（月別）"
WEB_DASH_HEALTH = "店舗別のデータ送信状況"
WEB_DASH_DEAD = "送信できなかった処理（dead）"
WEB_DASH_NONE = "ありません"
WEB_DASH_NO_EXPORTER = "エクスポーターのデータはまだありません"
def web_dash_drift(items: int) -> str:
    """A store's drift slot: items the partner was not told, waiting in an open draft."""
    return f"未連絡の項目 {items}件（下書きあり）" if items else "なし"
WEB_HOURS = "時間"
WEB_MEDIAN = "中央値"
WEB_SLA_KEPT = "期限内の割合"
WEB_TICKETS = "件数"
WEB_CHART_CYCLE = "ステップ別の所要時間（時間）"
WEB_CHART_SLA = "パートナーSLA遵守率（%）"
WEB_CHART_STEPS = "ステップ別の依頼数"
WEB_HEALTH_HEADERS = ("企業CD", "店舗CD", "最終送信の営業日", "送信待ち", "dead", "遅延再送",
                      "設定差分の下書き")
WEB_DEAD_HEADERS = ("種別", "ID", "処理", "対象", "試行回数", "理由")
WEB_CYCLE_HEADERS = ("ステップ", "件数", "中央値（時間）", "p90（時間）")
WEB_SLA_HEADERS = ("月", "完了", "期限内", "遵守率")
WEB_PARTNER_NOTE = "ジャストプランニングが設定完了連絡ページから連絡"
WEB_CUSTOMER_NOTE = "お客様がメールのリンクから確認"
