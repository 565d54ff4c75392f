"""`renkei demo-data`: realistic register data so a newcomer can watch exports happen.

Stores 0001-0007 carry the seed's names (2-2: 居酒屋データ分析 目黒本店 ...; 0000 企業管理店舗
is the company's own record and has no register); later stores get generated names. Each
store is linked (連携済) over the generated dates unless it is already linked; the demo writes
the linkage directly, because a real 連携開始日 cannot lie in the past.

The company's masters (支払科目, 値割引, 客層) are written too: they are what the partner maps and
what the drift check compares with the mapping registry. `add_new_items` makes one store start
using items the partner was never told about.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, insert, select, tuple_
from sqlalchemy.orm import Session, sessionmaker

from exporter.demo_day import Masters, generate_day
from exporter.masters import read_masters
from exporter.pos import (
    DISCOUNT,
    EXCLUSIVE,
    INCLUSIVE,
    PAYMENT,
    SEGMENT,
    PosCashCount,
    PosCashMovement,
    PosCategory,
    PosMasterItem,
    PosPayment,
    PosProduct,
    PosReceipt,
    PosReceiptLine,
)
from exporter.timing import close_moment
from workflow import mapping
from workflow.errors import RenkeiError
from workflow.models import Store, Ticket
from workflow.registry import get_or_create_company

SEED_STORES = [  # 店舗名 and 閉局 time of the seed's stores
    ("居酒屋データ分析 目黒本店", "23:30", "izakaya"),
    ("データ分析カフェ 目黒川店", "21:00", "cafe"),
    ("ラーメン・つけめん札幌店", "02:00", "ramen"),  # closes after midnight
    ("金町駅前店", "22:00", "izakaya"),
    ("渋谷店", "23:00", "izakaya"),
    ("イオン板橋店", "21:00", "cafe"),
    ("すかいらーく町田店", "23:00", "family"),
]
CATEGORIES = {"10": "ドリンク", "20": "フード", "30": "麺類", "40": "デザート", "50": "セット",
              "60": "テイクアウト"}
# 大分類 above the register's categories: the hierarchy the 商品カテゴリマスタ carries
PARENTS = {"10": ("A0", "飲料"), "20": ("B0", "料理"), "30": ("B0", "料理"), "40": ("B0", "料理")}
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
               ("5301", "お子様ランチ", 599, 10), ("6301", "ポテト（お持ち帰り）", 299, 8)],
}
MENUS["izakaya"].append(("6001", "焼き鳥（お持ち帰り）", 600, 8))
MENUS["ramen"].append(("6201", "お土産ラーメン（2食入）", 1200, 8))
TAX_MODES = {"izakaya": INCLUSIVE, "cafe": INCLUSIVE, "ramen": INCLUSIVE, "family": EXCLUSIVE}
PAYMENTS = [("01", "現金", 45), ("02", "クレジットカード", 25), ("03", "電子マネー", 12),
            ("04", "QRコード決済", 10), ("05", "商品券", 3), ("07", "ポイント", 0)]
DISCOUNTS = [("101", "学割10%引"), ("102", "会員割引5%引"), ("201", "タイムサービス50円引")]
SEGMENTS = [("1", "一般"), ("2", "男性"), ("3", "女性"), ("4", "家族"), ("5", "団体"),
            ("6", "学生")]
# What `add_new_items` makes a store start using (never told to the partner).
NEW_ITEMS = {PAYMENT: ("09", "楽天ペイ"), DISCOUNT: ("105", "雨の日10%引"),
             SEGMENT: ("7", "インバウンド")}


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


# The demo's own codes: none of the seed's or README's examples (67890 / 12345), so sample
# data never lands on a company someone filed a real request for.
DEMO_COMPANY_CODE = "90001"
DEMO_COMPANY_NAME = "株式会社データ分析"  # the seed's sample company name
DEMO_MAKASETE_COMPANY_CODE = "90001"


def refuse_real_company(session: Session, company_code: str) -> None:
    """demo-data writes sample sales and links stores: never on a company with tickets."""
    ids = list(session.scalars(select(Ticket.id).where(Ticket.company_code == company_code)
                               .order_by(Ticket.id).limit(5)))
    if ids:
        listed = ", ".join(f"#{i}" for i in ids)
        raise RenkeiError(f"company {company_code} has real requests ({listed}): demo-data "
                          f"writes sample sales and links stores only for demo companies; "
                          f"use --company {DEMO_COMPANY_CODE} or another unused code")


def generate(factory: sessionmaker[Session], *, company_code: str = DEMO_COMPANY_CODE,
             company_name: str = DEMO_COMPANY_NAME,
             makasete_company_code: str = DEMO_MAKASETE_COMPANY_CODE,
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
        newly_linked: list[str] = []
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
                newly_linked.append(s.store_code)
        _clear(session, company_code, [s.store_code for s in plan], dates)
        masters = _company_masters(session, company_code, first)
        if newly_linked:  # linked outside a ticket: the partner knows the masters of now
            mapping.seed_from_masters(session, company_code,
                                      read_masters(session, company_code, newly_linked),
                                      source="link")
        for chunk in range(0, len(plan), 500):
            rows: dict[Any, list[dict[str, Any]]] = {t: [] for t in _TABLES}
            for s in plan[chunk:chunk + 500]:
                _masters(rows, company_code, s)
                for day in dates:
                    rng = random.Random(f"{seed}:{company_code}:{s.store_code}:{day}")
                    generate_day(rows, rng, company_code, s, day, tz, receipts_per_day,
                                 MENUS[s.style], TAX_MODES[s.style], masters)
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


def _company_masters(session: Session, company: str, since: date) -> Masters:
    """The company's 支払科目 / 値割引 / 客層 (kept when they exist: only missing ones added)."""
    known = set(session.execute(select(PosMasterItem.item_type, PosMasterItem.code).where(
        PosMasterItem.company_code == company, PosMasterItem.store_code == "")))
    for item_type, items in ((PAYMENT, [(c, n) for c, n, _ in PAYMENTS]),
                             (DISCOUNT, DISCOUNTS), (SEGMENT, SEGMENTS)):
        for code, name in items:
            if (item_type, code) not in known:
                session.add(PosMasterItem(company_code=company, store_code="",
                                          item_type=item_type, code=code, name=name,
                                          since=since))
    session.flush()
    return Masters(payments=list(PAYMENTS), segments=list(SEGMENTS))


def _masters(rows: dict[Any, list[dict[str, Any]]], company: str, s: DemoStore) -> None:
    menu = MENUS[s.style]
    used = sorted({code[0] + "0" for code, *_ in menu})
    parents = sorted({PARENTS[c] for c in used if c in PARENTS})
    for order, (code, name) in enumerate(parents, 1):
        rows[PosCategory].append({"company_code": company, "store_code": s.store_code,
                                  "category_code": code, "name": name, "sort_order": order,
                                  "parent_code": None})
    for order, cat in enumerate(used, len(parents) + 1):
        parent = PARENTS.get(cat)
        rows[PosCategory].append({"company_code": company, "store_code": s.store_code,
                                  "category_code": cat, "name": CATEGORIES[cat],
                                  "sort_order": order,
                                  "parent_code": parent[0] if parent else None})
    mode = TAX_MODES[s.style]
    for code, name, price, rate in menu:
        excluded = price if mode == EXCLUSIVE else price * 100 // (100 + rate)
        rows[PosProduct].append({"company_code": company, "store_code": s.store_code,
                                 "product_code": code, "name": name,
                                 "category_code": code[0] + "0", "price": price,
                                 "tax_rate": rate, "tax_division": mode,
                                 "reduced_rate": rate == 8, "cost": excluded * 3 // 10,
                                 "active": True})


def add_new_items(factory: sessionmaker[Session], *, company_code: str, store_code: str,
                  day: date, tz: ZoneInfo, receipts: int = 3) -> dict[str, tuple[str, str]]:
    """From `day`, the store uses a 支払科目, a 値割引 and a 客層 of its own (NEW_ITEMS): they
    join its master (since `day`) and `receipts` extra receipts of `day` use all three."""
    demo = next((s for s in demo_stores(max(1, int(store_code))) if s.store_code == store_code),
                None)
    if demo is None:
        raise ValueError(f"store {store_code} is not a demo store")
    with factory() as session, session.begin():
        for item_type, (code, name) in NEW_ITEMS.items():
            exists = session.scalar(select(PosMasterItem.id).where(
                PosMasterItem.company_code == company_code,
                PosMasterItem.store_code == store_code, PosMasterItem.item_type == item_type,
                PosMasterItem.code == code))
            if exists is None:
                session.add(PosMasterItem(company_code=company_code, store_code=store_code,
                                          item_type=item_type, code=code, name=name, since=day))
        taken = set(session.scalars(select(PosReceipt.receipt_no).where(
            PosReceipt.company_code == company_code, PosReceipt.store_code == store_code,
            PosReceipt.business_date == day)))
        pay, disc, seg = NEW_ITEMS[PAYMENT], NEW_ITEMS[DISCOUNT], NEW_ITEMS[SEGMENT]
        masters = Masters(payments=[(pay[0], pay[1], 1)], segments=[seg],
                          receipt_discounts=[(disc[0], disc[1], 10)], discount_share=1.0)
        rows: dict[Any, list[dict[str, Any]]] = {t: [] for t in _TABLES}
        rng = random.Random(f"new:{company_code}:{store_code}:{day}")
        generate_day(rows, rng, company_code, demo, day, tz, receipts, MENUS[demo.style],
                     TAX_MODES[demo.style], masters)
        _renumber(rows, taken)
        returns = {r["receipt_no"] for r in rows[PosReceipt]
                   if r["transaction_type"] == "return"}  # the extra receipts are sales
        for table in (PosReceipt, PosReceiptLine, PosPayment):
            batch = [r for r in rows[table] if r["receipt_no"] not in returns]
            if batch:
                session.execute(insert(table), batch)
    return dict(NEW_ITEMS)


def _renumber(rows: dict[Any, list[dict[str, Any]]], taken: set[str]) -> None:
    """Give generated receipts numbers after the day's existing ones (9xxxx)."""
    mapping: dict[str, str] = {}
    n = 90000
    for r in rows[PosReceipt]:
        while f"{n:05d}" in taken:
            n += 1
        mapping[r["receipt_no"]] = f"{n:05d}"
        n += 1
    for table in (PosReceipt, PosReceiptLine, PosPayment):
        for r in rows[table]:
            r["receipt_no"] = mapping.get(r["receipt_no"], r["receipt_no"])


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
