"""Socket Mode smoke test: the same App over a local WebSocket server standing in for Slack."""

from __future__ import annotations

import json
import queue
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from slack_bolt.adapter.socket_mode import SocketModeHandler
from websockets.sync.server import ServerConnection, serve

from bot.context import Context
from bot.slack.app import build
from tests.conftest import NOW
from tests.dbs import Database
from tests.slack_emulator import Emulator
from tests.slack_harness import SALES, settings_for
from workflow.service import Workflow

COMMAND = {"token": "legacy", "team_id": "T0TEST", "channel_id": "CWORK", "user_id": SALES,
           "user_name": "sales", "command": "/renkei", "text": "new",
           "response_url": "", "trigger_id": "trig.socket", "api_app_id": "A0TEST"}


@pytest.fixture
def socket_server() -> Iterator[tuple[str, queue.Queue[dict[str, Any]]]]:
    acks: queue.Queue[dict[str, Any]] = queue.Queue()

    def session(ws: ServerConnection) -> None:
        ws.send(json.dumps({"type": "hello", "num_connections": 1}))
        ws.send(json.dumps({"envelope_id": "env-1", "type": "slash_commands",
                            "accepts_response_payload": True, "payload": COMMAND}))
        for message in ws:
            acks.put(json.loads(message))

    with serve(session, "127.0.0.1", 0) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        yield f"ws://127.0.0.1:{server.socket.getsockname()[1]}/link", acks
        server.shutdown()


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_a_slash_command_over_socket_mode_opens_the_modal(
        database: Database, socket_server: tuple[str, queue.Queue[dict[str, Any]]]) -> None:
    url, acks = socket_server
    emulator = Emulator(socket_url=url)
    settings = settings_for(emulator, SLACK_APP_TOKEN="xapp-1-A0TEST-1-socket",
                            SLACK_SIGNING_SECRET="")
    ctx = Context(settings, database.engine, database.factory,
                  Workflow(database.factory, settings, clock=lambda: NOW))
    bot = build(ctx, socket_mode=True)
    handler = SocketModeHandler(bot.app, app_token=settings.slack_app_token)
    try:
        handler.connect()
        ack = acks.get(timeout=20)
        assert ack["envelope_id"] == "env-1"
        emulator.wait_for(lambda e: len(e.of("views.open")) == 1)
        view = emulator.of("views.open")[0].args["view"]
        assert view["callback_id"] == "renkei_intake"
        assert emulator.of("apps.connections.open")[0].headers["authorization"] == \
            "Bearer xapp-1-A0TEST-1-socket"
    finally:
        handler.close()
        bot.close()
        emulator.close()
