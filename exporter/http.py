"""`POST /pos/close`: the register tells renkei it closed (閉局); the batches are enqueued and
the bot's drain loop sends them."""

from __future__ import annotations

import json
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session, sessionmaker

from exporter.service import close_store, parse_close_request
from workflow.errors import ValidationFailed
from workflow.settings import Settings


def handle_pos_close(factory: sessionmaker[Session], settings: Settings,
                     body: bytes) -> tuple[int, dict[str, Any]]:
    """JSON {"company_code", "store_code", "business_date"} -> (202, what was enqueued) or
    (400, {"errors": {field: message}}) in English."""
    try:
        raw = json.loads(body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return 400, {"errors": {"body": "the body must be a JSON object"}}
    if not isinstance(raw, dict):
        return 400, {"errors": {"body": "the body must be a JSON object"}}
    try:
        company, store, day = parse_close_request(raw)
        added = close_store(factory, ZoneInfo(settings.timezone), company, store, day)
    except ValidationFailed as exc:
        return 400, {"errors": exc.by_field()}
    return 202, {
        "company_code": company, "store_code": store, "business_date": day.isoformat(),
        "enqueued": [{"kind": e.kind, "idempotency_key": e.idempotency_key,
                      "records": e.record_count} for e in added]}
