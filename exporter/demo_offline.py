"""`renkei demo-data --offline-days N --store 店舗CD`: a register that was offline.

Its receipts of the last N business dates (with their lines and payments, returns and voids as
the demo makes them) reach renkei only now, after those days were closed and sent: the
late-data scan (`exporter.late`, `renkei export scan`) then sends each day's next revision.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select
from sqlalchemy.orm import Session, sessionmaker

from exporter.demo import _TABLES, MENUS, SEED_STORES, TAX_MODES, DemoStore, _company_masters
from exporter.demo_day import generate_day
from exporter.pos import PosPayment, PosReceipt, PosReceiptLine
from workflow.errors import NotFound
from workflow.models import Company, Store

_STYLES = ("izakaya", "cafe", "ramen", "family")


def arrive_offline(factory: sessionmaker[Session], *, company_code: str, store_code: str,
                   days: int, end: date, tz: ZoneInfo, now: datetime,
                   receipts_per_day: int | None = None, seed: int = 7) -> dict[date, int]:
    """The store's register was offline over the N business dates ending at `end`; what it
    made then arrives now (made_at = the sale, received_at = `now`). Returns receipts added
    per date."""
    with factory() as session, session.begin():
        store = session.scalar(select(Store).join(Company).where(
            Company.company_code == company_code, Store.store_code == store_code))
        if store is None:
            raise NotFound(f"store {company_code}/{store_code} not found")
        n = int(store_code) if store_code.isdigit() else 0
        style = SEED_STORES[n - 1][2] if 1 <= n <= len(SEED_STORES) else _STYLES[n % 4]
        plan = DemoStore(store_code, store.name, store.close_time, style, "")
        first = end - timedelta(days=days - 1)
        masters = _company_masters(session, company_code, first)
        added: dict[date, int] = {}
        for back in range(days - 1, -1, -1):
            day = end - timedelta(days=back)
            taken = set(session.scalars(select(PosReceipt.receipt_no).where(
                PosReceipt.company_code == company_code, PosReceipt.store_code == store_code,
                PosReceipt.business_date == day)))
            rows: dict[Any, list[dict[str, Any]]] = {t: [] for t in _TABLES}
            rng = random.Random(f"{seed}:offline:{company_code}:{store_code}:{day}")
            generate_day(rows, rng, company_code, plan, day, tz, receipts_per_day,
                         MENUS[style], TAX_MODES[style], masters)
            numbers = _numbers_after(rows[PosReceipt], taken)
            made = {r["receipt_no"]: r["sold_at"] for r in rows[PosReceipt]}
            for table in (PosReceipt, PosReceiptLine, PosPayment):
                batch = [_arrived(r, numbers, made[r["receipt_no"]], now) for r in rows[table]]
                for start in range(0, len(batch), 5000):
                    session.execute(insert(table), batch[start:start + 5000])
            added[day] = len(rows[PosReceipt])
    return added


def _numbers_after(receipts: list[dict[str, Any]], taken: set[str]) -> dict[str, str]:
    """New receipt numbers after the day's existing ones, in the generated order."""
    numbers: dict[str, str] = {}
    counter = len(taken)
    for r in receipts:
        counter += 1
        while f"{counter:05d}" in taken:
            counter += 1
        numbers[r["receipt_no"]] = f"{counter:05d}"
    return numbers


def _arrived(row: dict[str, Any], numbers: dict[str, str], made: datetime,
             now: datetime) -> dict[str, Any]:
    out = {**row, "receipt_no": numbers[row["receipt_no"]], "made_at": made, "received_at": now}
    if out.get("original_receipt_no"):  # a return names the sale it returns
        out["original_receipt_no"] = numbers.get(out["original_receipt_no"],
                                                 out["original_receipt_no"])
    return out
