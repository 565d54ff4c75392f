"""CSRF protection for the pages' POST forms: a signed per-form token.

The token signs (itsdangerous, own salt) the digest of the page it was rendered for (the link
token, or the viewer), so a form posted from elsewhere, or with another page's token, is
refused. Flask-WTF would do the same with more machinery; these forms have two fields.
"""

from __future__ import annotations

import hashlib

from itsdangerous import BadSignature, URLSafeTimedSerializer

MAX_AGE = 24 * 3600  # a form left open overnight asks to be reopened


def _digest(page: str) -> str:
    return hashlib.sha256(page.encode()).hexdigest()[:32]


def form_token(secret: str, page: str) -> str:
    return str(URLSafeTimedSerializer(secret, salt="renkei.csrf").dumps(_digest(page)))


def form_ok(secret: str, page: str, token: str | None) -> bool:
    if not token:
        return False
    try:
        value = URLSafeTimedSerializer(secret, salt="renkei.csrf").loads(token, max_age=MAX_AGE)
    except BadSignature:
        return False
    return bool(value == _digest(page))
