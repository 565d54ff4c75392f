"""Sends signed Slack payloads (slash command, view_submission, block_actions, events) to the
bot's real HTTP endpoint, the way Slack does (v0 signature over timestamp and body)."""

from __future__ import annotations

import itertools
import json
import time
from typing import Any
from urllib.parse import urlencode

import httpx
from slack_sdk.signature import SignatureVerifier

from tests.slack_emulator import Call, Emulator, refusal


class Driver:
    def __init__(self, url: str, signing_secret: str, emulator: Emulator) -> None:
        self.url = url.rstrip("/") + "/slack/events"
        self.verifier = SignatureVerifier(signing_secret)
        self.emulator = emulator
        self.http = httpx.Client(timeout=15)
        self._n = itertools.count(1)

    def close(self) -> None:
        self.http.close()

    def post(self, body: bytes, content_type: str, *, timestamp: int | None = None,
             headers: dict[str, str] | None = None, tamper: bool = False) -> httpx.Response:
        ts = str(timestamp if timestamp is not None else int(time.time()))
        signature = self.verifier.generate_signature(timestamp=ts, body=body)
        if tamper:
            body = body.replace(b"U", b"W", 1)
        return self.http.post(self.url, content=body, headers={
            "Content-Type": content_type, "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": signature, **(headers or {})})

    def response_url(self) -> str:
        return f"{self.emulator.url}/response/{next(self._n)}"

    # ---- payloads -------------------------------------------------------------------------
    def command(self, text: str, *, user: str, command: str = "/renkei",
                channel: str = "CWORK", team: str = "T0TEST", enterprise: str = "",
                **kw: Any) -> httpx.Response:
        """`team` other than T0TEST is a Slack Connect user of another workspace;
        `enterprise` their Enterprise Grid org."""
        form = {"token": "legacy", "team_id": team, "team_domain": "renkei",
                "channel_id": channel, "channel_name": "work", "user_id": user,
                "user_name": user.lower(), "command": command, "text": text,
                "response_url": self.response_url(), "trigger_id": f"trig.{next(self._n)}",
                "api_app_id": "A0TEST", **({"enterprise_id": enterprise} if enterprise else {})}
        return self.post(urlencode(form).encode(), "application/x-www-form-urlencoded", **kw)

    def interactive(self, payload: dict[str, Any], **kw: Any) -> httpx.Response:
        body = urlencode({"payload": json.dumps(payload)}).encode()
        return self.post(body, "application/x-www-form-urlencoded", **kw)

    def submit(self, view: dict[str, Any], values: dict[str, Any], *, user: str,
               user_team: str = "T0TEST", **kw: Any) -> httpx.Response:
        """Submit a modal as opened (`views.open` args + id) with text per block id (for a
        file_input the emulator's file object, for checkboxes the selected values)."""
        state: dict[str, Any] = {}
        for block in view["blocks"]:
            if block.get("type") != "input":
                continue
            text = values.get(block["block_id"])
            if block["element"]["type"] == "file_input":
                state[block["block_id"]] = {"value": {"type": "file_input",
                                                      "files": [text] if text else []}}
            elif block["element"]["type"] == "checkboxes":
                options = [o for o in block["element"]["options"] if o["value"] in (text or [])]
                state[block["block_id"]] = {"value": {"type": "checkboxes",
                                                      "selected_options": options}}
            elif block["element"]["type"] == "conversations_select":
                text = text if text is not None else block["element"].get("initial_conversation")
                state[block["block_id"]] = {"value": {"type": "conversations_select",
                                                      "selected_conversation": text or None}}
            elif block["element"]["type"] == "static_select":
                text = text if text is not None else \
                    (block["element"].get("initial_option") or {}).get("value")
                state[block["block_id"]] = {"value": {
                    "type": "static_select",
                    "selected_option": {"text": {"type": "plain_text", "text": text or ""},
                                        "value": text} if text else None}}
            elif block["element"]["type"] == "datepicker":
                text = text if text is not None else block["element"].get("initial_date")
                state[block["block_id"]] = {"value": {"type": "datepicker",
                                                      "selected_date": text or None}}
            else:
                text = text if text is not None else block["element"].get("initial_value")
                state[block["block_id"]] = {"value": {"type": "plain_text_input",
                                                      "value": text or None}}
        payload = {"type": "view_submission", "team": {"id": "T0TEST"},
                   "user": {"id": user, "username": user.lower(), "team_id": user_team},
                   "api_app_id": "A0TEST", "trigger_id": f"trig.{next(self._n)}",
                   "view": {**view, "state": {"values": state}, "team_id": "T0TEST",
                            "app_id": "A0TEST", "bot_id": "BBOT"}}
        response = self.interactive(payload, **kw)
        self._check_ack_view(response)
        return response

    def _check_ack_view(self, response: httpx.Response) -> None:
        """A view in a submission's ack (response_action update/push) is checked as Slack
        checks views.update; a refusal is recorded like the emulator's own."""
        try:
            body = response.json() if response.content.strip() else {}
        except ValueError:
            return
        if isinstance(body, dict) and isinstance(body.get("view"), dict):
            refused = refusal("views.update", {"view": body["view"]})
            if refused:
                with self.emulator.lock:
                    self.emulator.refused.append(
                        (Call("ack:views.update", body, {}), *refused))

    def click(self, blocks: list[dict[str, Any]], action: str, *, user: str,
              action_ts: str | None = None, channel: str = "CREQ", user_team: str = "T0TEST",
              enterprise: str = "", **kw: Any) -> httpx.Response:
        """Press a button of a message; `action` is a renkei trigger or a full action id.
        `user_team` other than T0TEST is a Slack Connect user from another workspace;
        `enterprise` their Enterprise Grid org."""
        button = find_button(blocks, action)
        payload: dict[str, Any] = {
            "type": "block_actions", "team": {"id": "T0TEST"},
            "user": {"id": user, "username": user.lower(), "team_id": user_team},
            "api_app_id": "A0TEST", "trigger_id": f"trig.{next(self._n)}",
            "channel": {"id": channel, "name": "requests"},
            "container": {"type": "message", "channel_id": channel, "message_ts": "1.1"},
            "message": {"ts": "1.1", "blocks": blocks},
            "response_url": self.response_url(),
            "actions": [{"type": "button", "block_id": "b", "action_id": button["action_id"],
                         "value": button["value"], "text": button["text"],
                         "action_ts": action_ts or f"{time.time():.6f}"}],
        }
        if enterprise:
            payload["enterprise"] = {"id": enterprise}
        return self.interactive(payload, **kw)

    def event(self, event: dict[str, Any], *, event_id: str, **kw: Any) -> httpx.Response:
        body = {"token": "legacy", "team_id": "T0TEST", "api_app_id": "A0TEST",
                "type": "event_callback", "event_id": event_id, "event_time": int(time.time()),
                "event": event}
        return self.post(json.dumps(body).encode(), "application/json", **kw)


def _buttons_of(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The elements of actions blocks and the buttons of section accessories, in order."""
    found: list[dict[str, Any]] = []
    for block in blocks:
        if block.get("type") == "actions":
            found += list(block.get("elements", []))
        elif (block.get("accessory") or {}).get("type") == "button":
            found.append(block["accessory"])
    return found


def find_button(blocks: list[dict[str, Any]], action: str) -> dict[str, Any]:
    for element in _buttons_of(blocks):
        if element.get("action_id") in (f"renkei:{action}", action):
            return dict(element)
    raise AssertionError(f"no {action} button in the message")


def buttons(blocks: list[dict[str, Any]]) -> list[str]:
    return [e["action_id"].removeprefix("renkei:") for e in _buttons_of(blocks)]
