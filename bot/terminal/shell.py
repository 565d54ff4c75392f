"""The terminal adapter: the Slack handlers driven from a prompt, without Slack.

It is a second transport, not a second implementation: typed commands become slash-command
payloads, a modal opened by a handler is asked input by input and submitted as a
view_submission (field errors come back from the same handler), numbers press the buttons of
the last message shown, and the outbox sender renders the ticket message here instead of
posting it. `ShellClient` (bot/terminal/client.py) answers the Web API methods the handlers
and the sender call.
"""

from __future__ import annotations

import itertools
import logging
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from bot import messages as m
from bot.context import Context
from bot.integrations.outgoing import Outgoing
from bot.integrations.reminders import ReminderCheck
from bot.slack import views, views_drift, views_stores
from bot.slack.handlers import Handlers
from bot.slack.notifier import Notifier
from bot.slack.roles import Roles
from bot.slack.views_home import RETRY_ALL_ACTION
from bot.slack.views_partner import CUSTOMER_VERIFY_ACTION
from bot.terminal import text as tx
from bot.terminal.client import CHANNEL, Ack, ShellClient
from workflow.labels import role_label

log = logging.getLogger(__name__)
FILES_DIR = Path("renkei-files")  # where the 設定依頼書 files go instead of a Slack thread


class Shell:
    def __init__(self, ctx: Context, *, user: str = "sales", stdin: TextIO | None = None,
                 stdout: TextIO | None = None, files_dir: Path = FILES_DIR) -> None:
        # Planning staff come from settings (`kikaku` when none is configured), as in the CLI.
        settings = self.settings = ctx.settings
        self.stdin = stdin or sys.stdin
        self.out = stdout or sys.stdout
        self.user = user
        self.files_dir = files_dir
        self.client = ShellClient(self)
        self.roles = Roles(settings, self.client)
        self.notifier = Notifier(ctx.workflow, self.client, CHANNEL, worker="shell")
        self.handlers = Handlers(ctx.workflow, self.roles, self.notifier,
                                 settings.slack_command)
        # The same senders as in Slack (Kintone, mail, 設定依頼書, customer, reminders).
        self.notifier.extra.update(Outgoing(self.notifier, settings).handlers())
        self.reminders = ReminderCheck(ctx.workflow)
        self.buttons: list[tx.Button] = []
        self.updates: dict[str, tuple[Any, str]] = {}  # message ts → its latest blocks, text
        self._printed: set[str] = set()  # lines printed since the last prompt
        self.buttons_channel = CHANNEL
        self._action_ts = itertools.count(1)
        self.submitters: dict[str, Callable[..., None]] = {
            views.INTAKE_CALLBACK: self.handlers.submit_intake,
            views.SEND_BACK_CALLBACK: self.handlers.submit_send_back,
            views.LINKAGE_CALLBACK: self.handlers.linkage.submit_linkage,
            views_stores.LINKAGE_CONFIRM_CALLBACK: self.handlers.linkage.submit_linkage_confirm,
            views.CONTACT_CALLBACK: self.handlers.submit_contact,
            views_drift.IGNORE_CALLBACK: self.handlers.drift.submit_ignore,
        }
        # Buttons that are not ticket triggers (renkei:…), by action id.
        self.listeners: dict[str, Callable[..., None]] = {
            CUSTOMER_VERIFY_ACTION: self.handlers.confirm,
            views_drift.FILE_ACTION: self.handlers.drift.file_press,
            views_drift.IGNORE_ACTION: self.handlers.drift.ignore_press,
            RETRY_ALL_ACTION: self.handlers.fate.retry_all,
        }

    # ---- output -------------------------------------------------------------------------
    def say(self, line: str = "") -> None:
        self.out.write(line + "\n")
        self.out.flush()

    def _collapse(self, lines: list[str]) -> list[str]:
        """A run of 3+ lines printed already since the prompt (the 定型文 in the filing
        answer, then again in the thread) becomes one line saying so."""
        out: list[str] = []
        run: list[str] = []
        for line in [*lines, None]:
            if line is not None and line.strip() and line in self._printed:
                run.append(line)
                continue
            out += [m.SHELL_SAME_AS_ABOVE] if len(run) >= 3 else run
            run = []
            if line is not None:
                out.append(line)
        self._printed.update(lines)
        return out

    def show(self, blocks: Any, text: str, *, thread: bool = False, updated: bool = False,
             ephemeral: bool = False, channel: str = CHANNEL) -> None:
        lines, buttons = tx.render(blocks, text)
        lines = self._collapse(lines)
        if thread:
            self.say(f"  ↳ {m.SHELL_THREAD}: " + (lines[0] if lines else ""))
            for line in lines[1:]:
                self.say("    " + line)
            return
        self.say()
        if updated:
            self.say(f"({m.SHELL_UPDATED})")
        if ephemeral:
            self.say(m.SHELL_EPHEMERAL)
        for line in lines:
            self.say(line)
        if buttons:
            self.buttons = buttons
            self.buttons_channel = channel

    def _ask(self, prompt: str) -> str | None:
        self.out.write(prompt)
        self.out.flush()
        line = self.stdin.readline()
        if not line:
            return None
        return line.rstrip("\n")

    # ---- the loop -----------------------------------------------------------------------
    def role_label(self) -> str:
        return role_label(self.roles.role_of(self.user))

    def run(self) -> None:
        for row in m.shell_banner(self.settings.slack_command, self.user,
                                  self.settings.planning_users):
            self.say(row)
        self.drain()
        while True:
            line = self._ask(m.shell_prompt(self.user, self.role_label()))
            if line is None or line.strip() in (":quit", ":q", ":exit"):
                return
            try:
                self.handle(line.strip())
            except Exception as exc:  # a bug must not end the session with a traceback
                log.error("terminal command %r failed: %s: %s (-v shows the traceback)",
                          line, type(exc).__name__, exc)
                log.debug("traceback", exc_info=True)
                self.say(m.SOMETHING_WRONG)

    def handle(self, line: str) -> None:
        if not line:
            return
        self._printed.clear()
        if line.startswith(":as "):
            self.user = line[4:].strip() or self.user
            self.say(m.shell_switched(self.user, self.role_label()))
        elif line == ":help":
            for row in m.shell_banner(self.settings.slack_command, self.user,
                                      self.settings.planning_users):
                self.say(row)
        elif line == ":home":
            self.handlers.home({"event": {"user": self.user}}, self.client)
        elif line.isdigit():
            self.press(int(line))
        elif line.startswith("/") or line.split()[0] in ("new", "change", "list", "show",
                                                          "help"):
            text = line.split(" ", 1)[1] if line.startswith("/") and " " in line else \
                ("" if line.startswith("/") else line)
            self.command(text)
        else:
            self.say(m.SHELL_UNKNOWN)
        self.after()

    def after(self) -> None:
        while self.client.pending_view is not None:
            view, self.client.pending_view = self.client.pending_view, None
            self.fill(view)
        self.drain()

    def drain(self) -> None:
        # No scheduler here: the SLA reminder check runs with each prompt instead.
        self.reminders()
        self.notifier.drain()
        updates, self.updates = self.updates, {}
        for blocks, text in updates.values():
            self.show(blocks, text, updated=True)

    def _respond(self, **kwargs: Any) -> None:
        self.show(kwargs.get("blocks"), kwargs.get("text", ""), ephemeral=True)

    def command(self, text: str) -> None:
        ack = Ack()
        body = {"command": self.settings.slack_command, "text": text, "user_id": self.user,
                "user_name": self.user, "channel_id": CHANNEL, "trigger_id": "shell"}
        self.handlers.command(ack=ack, body=body, client=self.client, respond=self._respond)
        if ack.kwargs:
            self.show(ack.kwargs.get("blocks"), ack.kwargs.get("text", ""), ephemeral=True)

    def press(self, number: int) -> None:
        if not 1 <= number <= len(self.buttons):
            self.say(m.SHELL_NO_BUTTON)
            return
        button = self.buttons[number - 1]
        if button.confirm:  # Slack's confirm dialog: y/N before anything is sent
            self.say(button.confirm)
            answer = self._ask(m.SHELL_CONFIRM_YN)
            if (answer or "").strip().lower() not in ("y", "yes"):
                self.say(m.SHELL_CONFIRM_NO)
                return
        body = {"type": "block_actions", "user": {"id": self.user, "username": self.user},
                "trigger_id": "shell", "channel": {"id": self.buttons_channel},
                "actions": [{"action_id": button.action_id, "value": button.value,
                             "type": "button", "action_ts": f"{time.time():.6f}-"
                                                            f"{next(self._action_ts)}"}]}
        listener = self.listeners.get(button.action_id, self.handlers.press)
        listener(ack=Ack(), body=body, client=self.client, respond=self._respond)

    # ---- modals -------------------------------------------------------------------------
    def fill(self, view: dict[str, Any]) -> None:
        """Ask each input of a modal, submit it, and ask again for the fields in error."""
        title = view.get("title", {}).get("text", "")
        self.say()
        self.say(f"■ {title} {m.SHELL_MODAL_CANCEL}")
        intro = [b for b in view.get("blocks", []) if b.get("type") in ("section", "context")]
        for line in tx.render(intro)[0]:
            self.say(line)
        inputs = [b for b in view.get("blocks", []) if b.get("type") == "input"
                  and not views_stores.is_continuation(b)]
        answers: dict[str, dict[str, Any]] = {}
        todo = inputs
        while True:
            for block in todo:
                answer = self._ask_input(block)
                if answer is None:
                    self.say(m.SHELL_MODAL_CANCELLED)
                    return
                answers[block["block_id"]] = {"value": answer}
            reply = self._submit(view, answers)
            if reply.get("response_action") == "errors":
                labels = {b["block_id"]: b["label"]["text"] for b in inputs}
                for block_id, message in reply["errors"].items():
                    self.say(f"  ✗ {labels.get(block_id, block_id)}: {message}")
                self.say(m.SHELL_FIX)
                todo = [b for b in inputs if b["block_id"] in reply["errors"]]
                continue
            if reply.get("response_action") == "push":  # every problem of an attached file
                self.show(reply["view"].get("blocks"), "", ephemeral=True)
                self.say(m.SHELL_FIX)
                todo = [b for b in inputs if b["element"]["type"] == "file_input"] or inputs
                continue
            if reply.get("response_action") == "update":
                follow = reply["view"]
                self.show(follow.get("blocks"), "", ephemeral=True)
                if follow.get("submit") and follow.get("callback_id") in self.submitters:
                    self._confirm(follow)  # a preview: submit it when the user says so
            return

    def _submit(self, view: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
        """The view submitted with `values` to its handler, as Slack would; its ack's reply."""
        ack = Ack()
        submitted = {**view, "state": {"values": values}}
        body = {"type": "view_submission", "view": submitted,
                "user": {"id": self.user, "username": self.user}}
        self.submitters[view["callback_id"]](ack=ack, body=body, client=self.client,
                                             view=submitted)
        return ack.kwargs or {}

    def _confirm(self, view: dict[str, Any]) -> None:
        line = self._ask(f"{view['submit']['text']}（{m.SHELL_CHECK}）: ")
        if line is None or line.strip().lower() not in ("y", "yes", "はい"):
            self.say(m.SHELL_MODAL_CANCELLED)
            return
        reply = self._submit(view, {})
        if reply.get("response_action") == "update":
            self.show(reply["view"].get("blocks"), "", ephemeral=True)

    def _ask_input(self, block: dict[str, Any]) -> dict[str, Any] | None:
        element = block["element"]
        label = block["label"]["text"] + (m.SHELL_OPTIONAL if block.get("optional") else "")
        hint = block.get("hint", {}).get("text", "")
        if element["type"] == "conversations_select":
            initial = element.get("initial_conversation", "")
            keep = f"[{m.SHELL_KEEP}{initial}]" if initial else ""
            line = self._ask(f"{label}（{m.SHELL_CHANNEL_ID}）{keep}: ")
            if line is None or line.strip() == ":cancel":
                return None
            return {"type": "conversations_select",
                    "selected_conversation": line.strip() or initial or None}
        if element["type"] == "file_input":
            line = self._ask(f"{label}（{m.SHELL_FILE}）: ")
            if line is None or line.strip() == ":cancel":
                return None
            path = line.strip().removeprefix(":file").strip()
            return {"type": "file_input",
                    "files": [{"id": path, "name": Path(path).name}] if path else []}
        if element["type"] == "checkboxes":
            option = element["options"][0]
            line = self._ask(f"{label}: {option['text']['text']}（{m.SHELL_CHECK}）: ")
            if line is None or line.strip() == ":cancel":
                return None
            yes = line.strip().lower() in ("y", "yes", "はい")
            return {"type": "checkboxes", "selected_options": [option] if yes else []}
        if element["type"] == "static_select":
            options = element.get("options", [])
            initial = (element.get("initial_option") or {}).get("value", "")
            choices = " / ".join(f"{o['value']}={o['text']['text']}" for o in options)
            line = self._ask(f"{label}（{choices}）[{m.SHELL_KEEP}{initial}]: ")
            if line is None or line.strip() == ":cancel":
                return None
            chosen = line.strip() or initial
            picked = next((o for o in options if o["value"] == chosen),
                          {"text": {"type": "plain_text", "text": chosen}, "value": chosen})
            return {"type": "static_select", "selected_option": picked}
        if element["type"] == "datepicker":
            initial = element.get("initial_date", "")
            keep = f"[{m.SHELL_KEEP}{initial}]" if initial else ""
            line = self._ask(f"{label}（{m.SHELL_DATE}）{keep}: ")
            if line is None or line.strip() == ":cancel":
                return None
            return {"type": "datepicker", "selected_date": line.strip() or initial or None}
        initial = element.get("initial_value", "")
        if element.get("multiline"):
            self.say(f"{label}（{m.SHELL_MULTILINE}）" + (f" — {hint}" if hint else ""))
            if initial:
                self.say(f"  [{m.SHELL_KEEP}]")
                for row in initial.splitlines():
                    self.say(f"    {row}")
            rows: list[str] = []
            while True:
                line = self._ask("  > ")
                if line is None or line.strip() == ":cancel":
                    return None
                if not line.strip():
                    break
                rows.append(line)
            return {"type": "plain_text_input", "value": "\n".join(rows) if rows else initial}
        keep = f"[{m.SHELL_KEEP}{initial}]" if initial else ""
        line = self._ask(f"{label}{keep}: ")
        if line is None or line.strip() == ":cancel":
            return None
        return {"type": "plain_text_input", "value": line if line.strip() else initial}
