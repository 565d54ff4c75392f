"""The register masters (支払科目 / 値割引 / 客層) as the workflow's mapping registry reads them.

`read_masters` is the `workflow.mapping.MasterSource` the composition root hands to the
Workflow: the workflow never imports the exporter, the exporter offers this one function.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from exporter.pos import PosMasterItem
from workflow.mapping import MasterItem


def read_masters(session: Session, company_code: str,
                 store_codes: Sequence[str] | None) -> list[MasterItem]:
    """The company's masters plus those of `store_codes` (None: of every store)."""
    query = select(PosMasterItem).where(PosMasterItem.company_code == company_code)
    if store_codes is not None:
        query = query.where(or_(PosMasterItem.store_code == "",
                                PosMasterItem.store_code.in_(list(store_codes))))
    query = query.order_by(PosMasterItem.item_type, PosMasterItem.code, PosMasterItem.store_code)
    return [MasterItem(r.item_type, r.code, r.name, r.store_code, r.since)
            for r in session.scalars(query)]
