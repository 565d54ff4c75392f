"""`renkei demo-data`: realistic register data so a newcomer can watch exports happen.

Stores 0001-0007 carry the seed's names (2-2: 居酒屋データ分析 目黒本店 ...; 0000 企業管理店舗
is the company's own record and has no register); later stores get generated names. Each
store is linked (連携済) over the generated dates unless it is already linked; the demo writes
the linkage directly, because a real 連携開始日 cannot lie in the past.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, insert, select, tuple_
from sqlalchemy.orm import Session, sessionmaker

from exporter.pos import (
    PosCashCount,
    PosCashMovement,
    PosCategory,
    PosPayment,
    PosProduct,
    PosReceipt,
    PosReceiptLine,
)
from exporter.timing import close_moment, parse_close_time
from workflow.errors import NotFound
from workflow.linkage import get_or_create_company
from workflow.models import Company, Store

SEED_STORES = [  # 店舗名 and 閉局 time of the seed's stores
    ("居酒屋データ分析 目黒本店", "23:30", "izakaya"),
    ("データ分析カフェ 目黒川店", "21:00", "cafe"),
    ("ラーメン・つけめん札幌店", "02:00", "ramen"),  # closes after midnight
    ("金町駅前店", "22:00", "izakaya"),
    ("渋谷店", "23:00", "izakaya"),
    ("イオン板橋店", "21:00", "cafe"),
    ("すかいらーく町田店", "23:00", "family"),
]
CATEGORIES = {"10": "ドリンク", "20": "フード", "30": "麺類", "40": "デザート", "50": "セット"}
MENUS: dict[str, list[tuple[str, str, int, int]]] = {  # (code, name, price, tax rate)
    "izakaya": [("1001", "生ビール（中）", 580, 10), ("1002", "ハイボール", 480, 10),
                ("1003", "レモンサワー", 450, 10), ("1004", "日本酒（一合）", 680, 10),
                ("2001", "枝豆", 380, 10), ("2002", "鶏の唐揚げ", 680, 10),
                ("2003", "刺身盛り合わせ", 1280, 10), ("2004", "焼き鳥盛り合わせ", 980, 10),
                ("2005", "だし巻き玉子", 520, 10), ("4001", "バニラアイス", 350, 10)],
    "cafe": [("1101", "ブレンドコーヒー", 450, 10), ("1102", "カフェラテ", 550, 10),
             ("1103", "抹茶ラテ", 580, 10), ("2101", "ミックスサンド", 780, 10),
             ("2102", "ミックスサンド（テイクアウト）", 780, 8), ("4101", "チーズケーキ", 520, 10),
             ("5101", "ケーキセット", 980, 10)],
    "ramen": [("3001", "醤油ラーメン", 850, 10), ("3002", "味噌ラーメン", 950, 10),
              ("3003", "つけめん", 900, 10), ("3004", "替え玉", 150, 10),
              ("2201", "餃子（6個）", 400, 10), ("1201", "瓶ビール", 650, 10),
              ("5201", "ラーメン餃子セット", 1150, 10)],
    "family": [("2301", "ハンバーグステーキ", 1090, 10), ("2302", "マルゲリータピザ", 799, 10),
               ("2303", "シーザーサラダ", 549, 10), ("3301", "ミートソーススパゲッティ", 699, 10),
               ("1301", "ドリンクバー", 350, 10), ("4301", "パフェ", 649, 10),
               ("5301", "お子様ランチ", 599, 10)],
}
PAYMENTS = [("01", "現金", 50), ("02", "クレジットカード", 25), ("03", "電子マネー", 15),
            ("04", "QRコード決済", 10)]
SEGMENTS = ["一般", "男性", "女性", "家族", "団体", "学生"]
DENOMINATIONS = [10000, 5000, 1000, 500, 100, 50, 10, 5, 1]
OPEN = time(11, 0)


@dataclass(frozen=True)
class DemoStore:
    store_code: str
    name: str
    close_time: str
    style: str
    makasete_store_code: str


def demo_stores(count: int) -> list[DemoStore]:
    """The first stores carry the seed's names; 0001 has the seed's 店舗コード 67890."""
    out = []
    for n in range(1, count + 1):
        if n <= len(SEED_STORES):
            name, close, style = SEED_STORES[n - 1]
        else:
            name, close = f"デモ店舗 {n:04d}", "22:00"
            style = ("izakaya", "cafe", "ramen", "family")[n % 4]
        out.append(DemoStore(f"{n:04d}", name, close, style, str(67889 + n)[-6:]))
    return out


def generate(factory: sessionmaker[Session], *, company_code: str = "10001",
             company_name: str = "株式会社データ分析", makasete_company_code: str = "12345",
             stores: int = 8, days: int = 7, end: date, tz: ZoneInfo,
             receipts_per_day: int | None = None, seed: int = 1,
             link: bool = True) -> dict[str, int]:
    """Fill the POS tables for `stores` stores over `days` business dates ending at `end`,
    and (with `link`) link the stores; returns row counts. Re-running replaces the same
    stores' data."""
    plan = demo_stores(stores)
    first = end - timedelta(days=days - 1)
    dates = [first + timedelta(days=i) for i in range(days)]
    counts = {"stores": len(plan), "receipts": 0, "lines": 0, "payments": 0}
    with factory() as session, session.begin():
        company = get_or_create_company(session, company_code, company_name)
        if link:
            company.makasete_company_code = company.makasete_company_code or makasete_company_code
        known = {s.store_code: s for s in company.stores}
        for s in plan:
            store = known.get(s.store_code)
            if store is None:
                store = Store(store_code=s.store_code, name=s.name, close_time=s.close_time)
                company.stores.append(store)
            if link and not store.linked:
                store.makasete_store_code = s.makasete_store_code
                store.start_date, store.end_date = first, end + timedelta(days=365)
                store.linked = True
                store.close_time = s.close_time
        _clear(session, company_code, [s.store_code for s in plan], dates)
        for chunk in range(0, len(plan), 500):
            rows: dict[Any, list[dict[str, Any]]] = {t: [] for t in _TABLES}
            for s in plan[chunk:chunk + 500]:
                _masters(rows, company_code, s)
                for day in dates:
                    rng = random.Random(f"{seed}:{company_code}:{s.store_code}:{day}")
                    _day(rows, rng, company_code, s, day, tz, receipts_per_day)
            _arrived_on_time(rows, plan, tz)
            for table, batch in rows.items():
                for start in range(0, len(batch), 5000):
                    session.execute(insert(table), batch[start:start + 5000])
            counts["receipts"] += len(rows[PosReceipt])
            counts["lines"] += len(rows[PosReceiptLine])
            counts["payments"] += len(rows[PosPayment])
    return counts


_TABLES: list[Any] = [PosCategory, PosProduct, PosReceipt, PosReceiptLine, PosPayment,
                      PosCashMovement, PosCashCount]


def _clear(session: Session, company_code: str, store_codes: list[str], dates: list[date]) -> None:
    keys = [(company_code, code) for code in store_codes]
    for start in range(0, len(keys), 500):
        part = keys[start:start + 500]
        for table in _TABLES:
            stmt = delete(table).where(tuple_(table.company_code, table.store_code).in_(part))
            if hasattr(table, "business_date"):
                stmt = stmt.where(table.business_date.in_(dates))
            session.execute(stmt)


def _masters(rows: dict[Any, list[dict[str, Any]]], company: str, s: DemoStore) -> None:
    menu = MENUS[s.style]
    used = sorted({code[0] + "0" for code, *_ in menu})
    for order, cat in enumerate(used, 1):
        rows[PosCategory].append({"company_code": company, "store_code": s.store_code,
                                  "category_code": cat, "name": CATEGORIES[cat],
                                  "sort_order": order})
    for code, name, price, rate in menu:
        rows[PosProduct].append({"company_code": company, "store_code": s.store_code,
                                 "product_code": code, "name": name,
                                 "category_code": code[0] + "0", "price": price,
                                 "tax_rate": rate, "active": True})


def _day(rows: dict[Any, list[dict[str, Any]]], rng: random.Random, company: str,
         s: DemoStore, day: date, tz: ZoneInfo, receipts_per_day: int | None) -> None:
    key = {"company_code": company, "store_code": s.store_code, "business_date": day}
    close = parse_close_time(s.close_time)
    opened = datetime.combine(day, OPEN, tzinfo=tz)
    closing = datetime.combine(day + timedelta(days=1) if close < OPEN else day, close, tzinfo=tz)
    span = (closing - opened).total_seconds() - 1800
    menu = MENUS[s.style]
    n = receipts_per_day if receipts_per_day is not None else rng.randint(40, 90)
    times = sorted(opened + timedelta(seconds=rng.uniform(0, span)) for _ in range(n))
    cash_sales = 0
    for i, sold_at in enumerate(times, 1):
        receipt_no = f"{i:05d}"
        subtotal = tax = 0
        for line_no in range(1, rng.randint(1, 5) + 1):
            code, name, price, rate = rng.choice(menu)
            qty = rng.choice((1, 1, 1, 2, 2, 3))
            amount = price * qty
            subtotal += amount
            tax += amount * rate // (100 + rate)
            rows[PosReceiptLine].append({**key, "receipt_no": receipt_no, "line_no": line_no,
                                         "product_code": code, "product_name": name,
                                         "category_code": code[0] + "0", "quantity": qty,
                                         "unit_price": price, "discount_amount": 0,
                                         "amount": amount, "tax_rate": rate})
        discount = (subtotal // 10 // 10 * 10) if rng.random() < 0.1 else 0
        total, voided = subtotal - discount, rng.random() < 0.02
        rows[PosReceipt].append({**key, "receipt_no": receipt_no, "sold_at": sold_at,
                                 "customer_count": rng.randint(1, 4),
                                 "customer_segment": rng.choice(SEGMENTS), "subtotal": subtotal,
                                 "discount_amount": discount, "tax_amount": tax,
                                 "total_amount": total, "voided": voided})
        code, name, _ = rng.choices(PAYMENTS, weights=[w for *_, w in PAYMENTS])[0]
        rows[PosPayment].append({**key, "receipt_no": receipt_no, "paid_at": sold_at,
                                 "payment_type_code": code, "payment_type_name": name,
                                 "amount": total, "voided": voided})
        if code == "01" and not voided:
            cash_sales += total
    float_in = 30000
    rows[PosCashMovement].append({**key, "movement_no": "001", "occurred_at": opened,
                                  "direction": "in", "reason": "釣銭準備金", "amount": float_in})
    out = 0
    if rng.random() < 0.3:
        out = rng.randrange(1000, 5000, 10)
        rows[PosCashMovement].append({**key, "movement_no": "002",
                                      "occurred_at": opened + timedelta(hours=2),
                                      "direction": "out", "reason": "仕入れ（食材）",
                                      "amount": out})
    counted = max(0, float_in + cash_sales - out + rng.choice((0, 0, 0, 0, -100, 10, -5)))
    for denomination in DENOMINATIONS:
        count, counted = divmod(counted, denomination)
        rows[PosCashCount].append({**key, "denomination": denomination, "count": count})


def _arrived_on_time(rows: dict[Any, list[dict[str, Any]]], plan: list[DemoStore],
                     tz: ZoneInfo) -> None:
    """An online register sends each row as it makes it: made_at = received_at = the moment
    of the sale, payment or movement (the drawer count at 閉局), never later than now."""
    now = datetime.now(tz)
    closes = {s.store_code: s.close_time for s in plan}
    sold: dict[tuple[str, date, str], datetime] = {}
    for r in rows[PosReceipt]:
        sold[(r["store_code"], r["business_date"], r["receipt_no"])] = r["sold_at"]
    for table, moment in ((PosReceipt, lambda r: r["sold_at"]),
                          (PosReceiptLine, lambda r: sold[(r["store_code"], r["business_date"],
                                                          r["receipt_no"])]),
                          (PosPayment, lambda r: r["paid_at"]),
                          (PosCashMovement, lambda r: r["occurred_at"]),
                          (PosCashCount, lambda r: close_moment(
                              r["business_date"], closes[r["store_code"]], tz))):
        for r in rows[table]:
            made = moment(r)
            r["made_at"], r["received_at"] = made, min(made, now)


def arrive_offline(factory: sessionmaker[Session], *, company_code: str, store_code: str,
                   days: int, end: date, tz: ZoneInfo, now: datetime,
                   receipts_per_day: int | None = None, seed: int = 7) -> dict[date, int]:
    """`demo-data --offline-days N`: the store's register was offline over the N business
    dates ending at `end`; the receipts it made then (with their lines and payments) reach
    renkei now, after those days were closed. Returns receipts added per date."""
    with factory() as session, session.begin():
        store = session.scalar(select(Store).join(Company).where(
            Company.company_code == company_code, Store.store_code == store_code))
        if store is None:
            raise NotFound(f"store {company_code}/{store_code} not found")
        n = int(store_code) if store_code.isdigit() else 0
        style = SEED_STORES[n - 1][2] if 1 <= n <= len(SEED_STORES) else \
            ("izakaya", "cafe", "ramen", "family")[n % 4]
        plan = DemoStore(store_code, store.name, store.close_time, style, "")
        added: dict[date, int] = {}
        for back in range(days - 1, -1, -1):
            day = end - timedelta(days=back)
            taken = set(session.scalars(select(PosReceipt.receipt_no).where(
                PosReceipt.company_code == company_code, PosReceipt.store_code == store_code,
                PosReceipt.business_date == day)))
            rows: dict[Any, list[dict[str, Any]]] = {t: [] for t in _TABLES}
            rng = random.Random(f"{seed}:offline:{company_code}:{store_code}:{day}")
            _day(rows, rng, company_code, plan, day, tz, receipts_per_day)
            numbers: dict[str, str] = {}
            counter = len(taken)
            for r in rows[PosReceipt]:
                counter += 1
                while f"{counter:05d}" in taken:
                    counter += 1
                numbers[r["receipt_no"]] = f"{counter:05d}"
            made = {r["receipt_no"]: r["sold_at"] for r in rows[PosReceipt]}
            for table in (PosReceipt, PosReceiptLine, PosPayment):
                batch = [{**r, "receipt_no": numbers[r["receipt_no"]],
                          "made_at": made[r["receipt_no"]], "received_at": now}
                         for r in rows[table]]
                for start in range(0, len(batch), 5000):
                    session.execute(insert(table), batch[start:start + 5000])
            added[day] = len(rows[PosReceipt])
    return added
