"""Slack's Web API as the terminal adapter answers it: by printing (bot/terminal/shell.py)."""

from __future__ import annotations

import itertools
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot import messages as m
from workflow.errors import RenkeiError

if TYPE_CHECKING:
    from bot.terminal.shell import Shell

CHANNEL = "renkei-requests"


class ShellClient:
    """Slack's Web API as seen by the handlers, answered by printing."""

    def __init__(self, shell: Shell) -> None:
        self.shell = shell
        self._ts = itertools.count(1)
        self.pending_view: dict[str, Any] | None = None

    def _next_ts(self) -> str:
        return f"{int(time.time())}.{next(self._ts):06d}"

    def chat_postMessage(self, *, channel: str, text: str = "", blocks: Any = None,
                         thread_ts: str | None = None, **_: Any) -> dict[str, Any]:
        ts = self._next_ts()
        if channel != CHANNEL and thread_ts is None:
            self.shell.say()
            self.shell.say(m.shell_channel(channel))
        self.shell.show(blocks, text, thread=thread_ts is not None, channel=channel)
        return {"ok": True, "channel": channel, "ts": ts}

    def files_upload_v2(self, *, file_uploads: list[dict[str, Any]], initial_comment: str = "",
                        **_: Any) -> dict[str, Any]:
        """Files shared in a thread land in FILES_DIR; their paths are printed."""
        folder = self.shell.files_dir
        folder.mkdir(parents=True, exist_ok=True)
        paths = []
        for upload in file_uploads:
            path = folder / Path(str(upload["filename"])).name
            data = upload["content"]
            path.write_bytes(data if isinstance(data, bytes) else str(data).encode())
            paths.append(path)
        lines = [initial_comment, *(m.shell_file(str(p)) for p in paths)]
        self.shell.show(None, "\n".join(lines), thread=True)
        return {"ok": True, "files": [{"name": p.name} for p in paths]}

    def chat_update(self, *, channel: str, ts: str, text: str = "", blocks: Any = None,
                    **_: Any) -> dict[str, Any]:
        # Slack replaces the message in place; printing every intermediate update showed the
        # card twice per click. The shell prints the latest one when the senders are done.
        self.shell.updates[ts] = (blocks, text)
        return {"ok": True, "channel": channel, "ts": ts}

    def chat_postEphemeral(self, *, channel: str, user: str, text: str = "",
                           blocks: Any = None, **_: Any) -> dict[str, Any]:
        self.shell.show(blocks, text, ephemeral=True)
        return {"ok": True, "message_ts": self._next_ts()}

    def chat_delete(self, **_: Any) -> dict[str, Any]:
        return {"ok": True}

    def conversations_open(self, *, users: str, **_: Any) -> dict[str, Any]:
        return {"ok": True, "channel": {"id": f"D-{users}"}}

    def views_open(self, *, view: dict[str, Any], **_: Any) -> dict[str, Any]:
        # Unique across runs: the id is the submission's idempotency key, kept in the database,
        # and a counter restarting at 1 made a later run's modal a "duplicate" (silently).
        self.pending_view = {**view, "id": f"V{uuid.uuid4().hex[:16]}"}
        return {"ok": True, "view": self.pending_view}

    def read_upload(self, file_id: str) -> tuple[str, bytes]:
        """A file answered with `:file PATH` (its id is the path) as bot.slack.files reads it."""
        path = Path(file_id).expanduser()
        if not path.is_file():
            raise RenkeiError(m.shell_no_file(str(path)))
        return path.name, path.read_bytes()

    def views_publish(self, *, view: dict[str, Any], **_: Any) -> dict[str, Any]:
        self.shell.show(view.get("blocks"), "")
        return {"ok": True}

    def users_info(self, *, user: str, **_: Any) -> dict[str, Any]:
        return {"ok": True, "user": {"id": user, "name": user}}

    def usergroups_users_list(self, **_: Any) -> dict[str, Any]:
        return {"ok": True, "users": []}


class Ack:
    """Records what a handler acknowledged with (a modal's errors, a notice, a reply)."""

    def __init__(self) -> None:
        self.kwargs: dict[str, Any] | None = None

    def __call__(self, **kwargs: Any) -> None:
        self.kwargs = kwargs
