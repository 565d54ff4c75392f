"""Signed links for people without Slack: the partner, the customer, a dashboard viewer.

itsdangerous' URLSafeTimedSerializer signs (HMAC-SHA1 over the secret key, the salt and the
timestamp) a small payload naming the ticket, the audience, the Slack user (viewers) and the
state the link is for. One salt per audience, so a customer's link can never open the partner's
page even though both are signed with the same key. The signature proves who made the link and
when; the ticket's current state (checked by the page) makes a used link worthless.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from workflow.settings import Settings

Audience = Literal["partner", "customer", "viewer"]
AUDIENCES: tuple[Audience, ...] = ("partner", "customer", "viewer")
# The state a link is for: its page acts only while the ticket stands there.
STATE_FOR: dict[Audience, str] = {"partner": "partner_setup", "customer": "customer_notified",
                                  "viewer": ""}
# The step whose mail hands out the link: a link names the audit event of that step, so after a
# 差し戻し and a second 設定依頼書, the first mail's link no longer works (only the newest does).
ROUND_STATE: dict[Audience, str] = {"partner": "spec_sent", "customer": "customer_notified"}
PATH_FOR: dict[Audience, str] = {"partner": "/p/", "customer": "/c/", "viewer": "/dashboard?t="}


class LinkRefused(Exception):
    """The link cannot be used; `reason` is "invalid" (tampered / wrong audience) or
    "expired"."""

    def __init__(self, reason: Literal["invalid", "expired"]) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Claim:
    """What a valid link says."""

    audience: Audience
    ticket_id: int
    state: str
    user: str = ""
    mailed: int = 0  # the audit event id of the ROUND_STATE step the link was mailed for; 0: any


class Links:
    """Makes and checks the signed links of one process (from RENKEI_SECRET_KEY)."""

    def __init__(self, settings: Settings) -> None:
        if not settings.secret_key:
            raise ValueError("RENKEI_SECRET_KEY is not set")
        self.settings = settings
        self._signers = {a: URLSafeTimedSerializer(settings.secret_key, salt=f"renkei.link.{a}")
                         for a in AUDIENCES}

    def max_age(self, audience: Audience) -> timedelta:
        s = self.settings
        return {"partner": timedelta(days=s.partner_link_days),
                "customer": timedelta(days=s.customer_link_days),
                "viewer": timedelta(minutes=s.viewer_link_minutes)}[audience]

    def make(self, audience: Audience, ticket_id: int = 0, *, user: str = "",
             mailed: int = 0) -> str:
        """A token for `audience` on `ticket_id` (0 for viewers), for its STATE_FOR state;
        `mailed` is the event id of the step that mailed it (see ROUND_STATE)."""
        payload = {"t": ticket_id, "a": audience, "s": STATE_FOR[audience], "u": user,
                   "r": mailed}
        return str(self._signers[audience].dumps(payload))

    def url(self, audience: Audience, ticket_id: int = 0, *, user: str = "",
            mailed: int = 0) -> str:
        """The link people click, under RENKEI_PUBLIC_URL."""
        base = self.settings.public_url.rstrip("/")
        token = self.make(audience, ticket_id, user=user, mailed=mailed)
        return f"{base}{PATH_FOR[audience]}{token}"

    def check(self, audience: Audience, token: str) -> Claim:
        """The claim of a token made for `audience`; LinkRefused otherwise."""
        try:
            data = self._signers[audience].loads(
                token, max_age=int(self.max_age(audience).total_seconds()))
        except SignatureExpired:
            raise LinkRefused("expired") from None
        except BadSignature:
            raise LinkRefused("invalid") from None
        if not isinstance(data, dict) or data.get("a") != audience:
            raise LinkRefused("invalid")
        try:
            return Claim(audience=audience, ticket_id=int(data["t"]), state=str(data["s"]),
                         user=str(data.get("u") or ""), mailed=int(data.get("r") or 0))
        except (KeyError, TypeError, ValueError):
            raise LinkRefused("invalid") from None


def links_or_none(settings: Settings) -> Links | None:
    """Links when RENKEI_SECRET_KEY is set, else None (pages off, links left out of mails)."""
    return Links(settings) if settings.secret_key else None
