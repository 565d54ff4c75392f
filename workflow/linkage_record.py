"""Store linkage recorded: the rules of workflow.linkage checked against the database
(what the company has, codes taken under the same まかせてネット企業コード) and applied.

`preview_links` writes nothing (the 設定完了 preview, the partner's page); `link_stores`
records what it accepts and refuses the rest with every problem at once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from workflow.errors import FieldError, NotFound, ValidationFailed
from workflow.linkage import (
    LinkIssue,
    RawLink,
    Recorded,
    StoreLink,
    as_errors,
    normalized,
    read_links,
    validate_company_code,
    validate_service,
)
from workflow.models import Company, Store
from workflow.registry import ensure_stores, get_or_create_company


def _company(session: Session, company_code: str) -> Company | None:
    return session.scalar(select(Company).where(Company.company_code == company_code)
                          .options(selectinload(Company.stores)))


def recorded_links(session: Session, company_code: str) -> dict[str, Recorded]:
    """What is recorded for each store of a company (empty for an unknown company)."""
    company = _company(session, company_code)
    return {s.store_code: Recorded(s.makasete_store_code, s.start_date, s.end_date, s.linked)
            for s in (company.stores if company else [])}


def _taken(session: Session, makasete_company_code: str, company_code: str,
           store_codes: set[str]) -> dict[str, str]:
    """まかせてネット店舗コード → 店舗CD of the 連携済 stores under the same まかせてネット
    企業コード, outside the stores being linked now."""
    rows = session.execute(
        select(Store.makasete_store_code, Store.store_code, Company.company_code)
        .join(Company).where(Company.makasete_company_code == makasete_company_code,
                             Store.linked.is_(True), Store.makasete_store_code.is_not(None)))
    return {mk: (code if company == company_code else f"{code}（企業CD {company}）")
            for mk, code, company in rows
            if mk and not (company == company_code and code in store_codes)}


@dataclass(frozen=True)
class Preview:
    """What a linkage would record, checked against the database, before anything is written:
    the links, every error, and how many stores are new, changed or kept as they are."""

    makasete_company_code: str
    links: list[StoreLink]
    company_errors: list[FieldError]  # about the まかせてネット企業コード
    issues: list[LinkIssue]  # about one store's row each
    new: int
    changed: int
    kept: int
    service: str | None = None  # "ex"/"net" to record; None keeps what the company has

    @property
    def errors(self) -> list[FieldError]:
        """Every problem as FieldErrors naming row, store and column (one store: no names)."""
        named = len(self.links) > 1 or any(i.where for i in self.issues)
        return [*self.company_errors, *as_errors(self.issues, name_store=named)]


def preview_links(session: Session, *, company_code: str, makasete_company_code: str,
                  links: Sequence[RawLink | StoreLink], today: date,
                  targets: Mapping[str, str] | None = None, require_all: bool = False,
                  replace_company_code: bool = False, create_company: bool = True,
                  service: str | None = None) -> Preview:
    """Every rule of `link_stores`, without writing (a returned sheet's preview uses it)."""
    rows, errors = links, list[FieldError]()
    if service is not None:
        try:
            service = validate_service(service)
        except ValidationFailed as exc:
            errors.extend(exc.errors)
    try:
        mk_company = validate_company_code(makasete_company_code)
    except ValidationFailed as exc:
        errors.extend(exc.errors)
        mk_company = ""
    company = _company(session, company_code)
    if company is None and not create_company:
        raise NotFound(f"企業CD {company_code} はrenkeiに登録されていません"
                       "（依頼を登録すると企業と店舗が登録されます: `renkei request new`"
                       " または Slack の /renkei new）")
    current = company.makasete_company_code if company else None
    if mk_company and current and current != mk_company and not replace_company_code:
        errors.append(FieldError(
            "makasete_company_code",
            f"企業CD {company_code} はすでにまかせてネット企業コード {current} で連携しています"
            f"（{mk_company} に置き換える場合は `renkei stores link --replace-company-code`）"))
    recorded = recorded_links(session, company_code)
    codes = {normalized(row.store_code) for row in rows}
    taken = _taken(session, mk_company, company_code, codes) if mk_company else {}
    parsed, issues = read_links(rows, today=today, targets=targets, recorded=recorded,
                                taken=taken, require_all=require_all)
    counts = {"new": 0, "changed": 0, "kept": 0}
    for link in parsed:
        rec = recorded.get(link.store_code)
        if rec is None or not rec.linked:
            counts["new"] += 1
        elif (rec.makasete_store_code, rec.start_date, rec.end_date) == (
                link.makasete_store_code, link.start_date, link.end_date):
            counts["kept"] += 1
        else:
            counts["changed"] += 1
    return Preview(mk_company, parsed, errors, issues, **counts, service=service)


def link_stores(session: Session, *, company_code: str, makasete_company_code: str,
                links: Sequence[RawLink | StoreLink], today: date, company_name: str = "",
                targets: Mapping[str, str] | None = None, replace_company_code: bool = False,
                create_company: bool = True, service: str | None = None) -> Company:
    """Record codes and dates and set the stores 連携済 (only when all is valid: ⑤).

    `targets` limits the links to a ticket's stores. A company already linked under another
    まかせてネット企業コード is refused unless `replace_company_code`; an unknown company is
    refused unless `create_company`. `service` ("ex"/"net") says where the company's data
    goes; None keeps what it was."""
    preview = preview_links(session, company_code=company_code,
                            makasete_company_code=makasete_company_code, links=links,
                            today=today, targets=targets,
                            replace_company_code=replace_company_code,
                            create_company=create_company, service=service)
    if preview.errors:
        raise ValidationFailed(preview.errors)
    company = get_or_create_company(session, company_code, company_name)
    company.makasete_company_code = preview.makasete_company_code
    if preview.service is not None:
        company.destination = preview.service
    ensure_stores(session, company, [(link.store_code, link.name) for link in preview.links])
    by_code = {s.store_code: s for s in company.stores}
    for link in preview.links:
        store = by_code[link.store_code]
        store.makasete_store_code = link.makasete_store_code
        store.start_date = link.start_date
        store.end_date = link.end_date
        store.linked = True
    return company


