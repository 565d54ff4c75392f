"""`POST /pos/close`: the register tells renkei it closed (閉局); the batches are enqueued and
the bot's drain loop sends them.

The caller proves itself with `Authorization: Bearer <RENKEI_POS_TOKEN>` (compared in constant
time). The answer tells a caller nothing about the linkage: an unknown store, a store not
linked, a date outside its window and a future date all get the same refusal, and a success
says only how many batches were accepted (no keys, no partner codes). Operators find the
reason in the log.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session, sessionmaker

from exporter.service import close_store, parse_close_request
from workflow.errors import ValidationFailed
from workflow.settings import Settings

log = logging.getLogger(__name__)

REFUSED = {"accepted": False, "error": "not_exportable",
           "message": "nothing to export for this store and business date"}
UNAUTHORIZED = {"accepted": False, "error": "unauthorized"}


def authorized(settings: Settings, header: str | None) -> bool:
    """True when `header` is `Bearer <RENKEI_POS_TOKEN>`; always False without a token.

    Both sides are hashed first so the comparison takes the same time whatever the length
    of what the caller sent.
    """
    if not settings.pos_token or not header:
        return False
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer":
        return False
    given = hashlib.sha256(token.strip().encode()).digest()
    wanted = hashlib.sha256(settings.pos_token.encode()).digest()
    return hmac.compare_digest(given, wanted)


def handle_pos_close(factory: sessionmaker[Session], settings: Settings, body: bytes, *,
                     today: date) -> tuple[int, dict[str, Any]]:
    """JSON {"company_code", "store_code", "business_date"} from an authenticated caller ->
    (202, {"accepted": true, "batches": n}), (400, field errors in English) for a malformed
    request, or (422, REFUSED) when there is nothing to export (whatever the reason).

    `today` is the business date in Asia/Tokyo: a later business_date is refused.
    """
    try:
        raw = json.loads(body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return 400, {"errors": {"body": "the body must be a JSON object"}}
    if not isinstance(raw, dict):
        return 400, {"errors": {"body": "the body must be a JSON object"}}
    try:
        company, store, day = parse_close_request(raw)
    except ValidationFailed as exc:
        return 400, {"errors": exc.by_field()}
    if day > today:
        log.info("pos close refused: %s/%s %s is after today (%s)", company, store, day, today)
        return 422, REFUSED
    try:
        added = close_store(factory, ZoneInfo(settings.timezone), company, store, day)
    except ValidationFailed as exc:
        log.info("pos close refused: %s/%s %s: %s", company, store, day,
                 "; ".join(e.message for e in exc.errors))
        return 422, REFUSED
    log.info("pos close %s/%s %s: %d batches enqueued", company, store, day, len(added))
    return 202, {"accepted": True, "batches": len(added)}
