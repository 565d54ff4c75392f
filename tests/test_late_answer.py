"""bot/slack/late_answer.py: what a modal shows when its answer came after the ack: the form
again as typed with each problem under its input (valid Block Kit, within Slack's limits),
the next view, or a notice. The end-to-end path is in test_slack_chains.py."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.views import View

from bot import messages as m
from bot.slack import late_answer, limits, views_stores

STATE_TYPES = {"plain_text_input": ("value", "0001:目黒本店"),
               "datepicker": ("selected_date", "2026-12-25"),
               "conversations_select": ("selected_conversation", "CCUST1")}


def _submitted(view: dict[str, Any]) -> dict[str, Any]:
    """The view as Slack sends it back: an id and every input's state."""
    values: dict[str, Any] = {}
    for block in view["blocks"]:
        if block["type"] != "input":
            continue
        element = block["element"]
        if element["type"] in STATE_TYPES:
            key, value = STATE_TYPES[element["type"]]
            values[block["block_id"]] = {element["action_id"]: {"type": element["type"],
                                                                key: value}}
        elif element["type"] == "file_input":
            values[block["block_id"]] = {element["action_id"]: {"type": "file_input",
                                                                "files": [{"id": "F1"}]}}
    return {**view, "id": "V1", "state": {"values": values}}


def _valid(view: dict[str, Any]) -> None:
    View(**view).validate_json()
    assert limits.view_violations(view) == []


def test_errors_go_under_their_inputs_and_the_typed_values_stay() -> None:
    view = _submitted(views_stores.intake_modal("new", {"kind": "new"}))
    again = late_answer.answered_view(view, {"response_action": "errors", "errors": {
        "stores_file": "3行目: 店舗CDは半角数字…", "company_code": "企業CDは半角数字…"}})
    _valid(again)
    assert again["callback_id"] == view["callback_id"]
    assert again["private_metadata"] == view["private_metadata"]
    assert m.LATE_FIX_AND_RESEND in again["blocks"][0]["text"]["text"]
    ids = [b.get("block_id") for b in again["blocks"]]
    for field in ("stores_file", "company_code"):
        under = again["blocks"][ids.index(field) + 1]
        assert under["block_id"] == f"late-error:{field}" and ":warning:" in str(under)
    inputs = {b["block_id"]: b["element"] for b in again["blocks"] if b["type"] == "input"}
    assert inputs["company_code"]["initial_value"] == "0001:目黒本店"
    assert inputs["desired_date"]["initial_date"] == "2026-12-25"
    assert "initial_value" not in inputs["stores_file"]  # Slack cannot pre-fill a file


def test_a_form_with_no_room_left_gets_every_problem_on_top() -> None:
    view = _submitted(views_stores.intake_modal("new", {"kind": "new"}))
    view["blocks"] = view["blocks"] + [{"type": "divider"}] * (
        limits.MODAL_BLOCKS - len(view["blocks"]) - 1)
    errors = {b["block_id"]: f"{b['block_id']} が違います" for b in view["blocks"]
              if b["type"] == "input"}
    again = late_answer.refilled(view, errors=errors)
    _valid(again)
    assert len(again["blocks"]) <= limits.MODAL_BLOCKS
    top = again["blocks"][0]["text"]["text"]
    assert top.startswith(m.LATE_FIX_AND_RESEND)
    assert all(f"• {e}" in top for e in errors.values())
    assert not any(str(b.get("block_id", "")).startswith("late-error:")
                   for b in again["blocks"])


def test_a_plain_ack_becomes_a_notice_and_an_update_its_view() -> None:
    view = _submitted(views_stores.intake_modal("new", {"kind": "new"}))
    done = late_answer.answered_view(view, {})
    _valid(done)
    assert done["title"]["text"] == m.LATE_DONE_TITLE and "submit" not in done
    nxt = {"type": "modal", "title": {"type": "plain_text", "text": "確認"}, "blocks": []}
    assert late_answer.answered_view(view, {"response_action": "update", "view": nxt}) == nxt


def test_the_terminal_never_waits_and_a_modal_without_a_file_is_answered_at_once() -> None:
    class Local:
        def read_upload(self, file_id: str) -> tuple[str, bytes]:
            return "a.csv", b""

    view = _submitted(views_stores.intake_modal("new", {"kind": "new"}))
    assert late_answer.needs_web_api(object(), view, ["stores_file"])
    assert not late_answer.needs_web_api(Local(), view, ["stores_file"])
    view["state"]["values"].pop("stores_file")
    assert not late_answer.needs_web_api(object(), view, ["stores_file"])
    assert late_answer.needs_web_api(object(), view, [], file_in_meta=True)
