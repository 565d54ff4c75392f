"""Files people attach in a modal's `file_input` (or the terminal's `:file PATH`): fetched
with the bot token, the way Slack documents private files (files.info, then an authorised GET
of `url_private_download`)."""

from __future__ import annotations

import logging
from typing import Any

import httpx

from bot import messages as m
from workflow.errors import RenkeiError

log = logging.getLogger(__name__)
MAX_BYTES = 10 * 1024 * 1024  # a 300-store sheet is ~30 kB; anything near this is not one


def download(client: Any, file_id: str) -> tuple[str, bytes]:
    """(file name, bytes) of an uploaded file; RenkeiError (Japanese) when it cannot be had."""
    local = getattr(client, "read_upload", None)
    if callable(local):  # the terminal adapter holds the file itself
        name, data = local(file_id)
        return str(name), bytes(data)
    try:
        info = client.files_info(file=file_id)["file"]
        url = str(info.get("url_private_download") or info.get("url_private") or "")
        response = httpx.get(url, headers={"Authorization": f"Bearer {client.token}"},
                             timeout=30, follow_redirects=True)
        response.raise_for_status()
    except Exception as exc:  # Slack's or the network's error: the user re-attaches
        log.warning("could not download file %s: %s", file_id, exc)
        raise RenkeiError(m.FILE_UNREADABLE) from None
    if len(response.content) > MAX_BYTES or "text/html" in response.headers.get(
            "content-type", ""):
        # Slack answers a GET without a valid token with its HTML login page.
        log.warning("file %s: not the file (%s, %d bytes)", file_id,
                    response.headers.get("content-type"), len(response.content))
        raise RenkeiError(m.FILE_UNREADABLE)
    return str(info.get("name") or ""), response.content
