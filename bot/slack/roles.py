"""Who a Slack user is to the workflow: planning (USEN企画) or sales (営業), and their name.

Planning staff are listed by user ID (RENKEI_PLANNING_USERS) and/or are members of a user
group (RENKEI_PLANNING_GROUP). Group members and display names are cached a few minutes so a
click costs no extra Slack call.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping
from typing import Any

from workflow.schemas import Actor
from workflow.settings import Settings

log = logging.getLogger(__name__)


class Roles:
    def __init__(self, settings: Settings, client: Any, *, ttl: float = 300.0) -> None:
        self.settings = settings
        self.client = client
        self.ttl = ttl
        self._lock = threading.Lock()
        self._group: tuple[float, frozenset[str]] = (0.0, frozenset())
        self._names: dict[str, tuple[float, str]] = {}
        self._stop = threading.Event()

    def close(self) -> None:
        self._stop.set()

    def keep_warm(self) -> None:
        """Read the planning group now and again every half TTL, in the background, so a
        click's role never waits for usergroups.users.list (nothing to do without a group)."""
        if not self.settings.planning_group:
            return

        def refresh() -> None:
            while not self._stop.is_set():
                self._fetch_group()
                self._stop.wait(self.ttl / 2)

        threading.Thread(target=refresh, name="renkei-roles", daemon=True).start()

    def role_of(self, user: str) -> str:
        if user in self.settings.planning_users:
            return "planning"
        if self.settings.planning_group and user in self._group_members():
            return "planning"
        return "sales"

    def _group_members(self) -> frozenset[str]:
        with self._lock:
            fetched, members = self._group
            if time.monotonic() - fetched < self.ttl:
                return members
        return self._fetch_group()

    def refresh(self) -> frozenset[str]:
        """Read the planning group's members now (keep_warm does this every half TTL)."""
        return self._fetch_group()

    def _fetch_group(self) -> frozenset[str]:
        try:
            resp = self.client.usergroups_users_list(usergroup=self.settings.planning_group)
            members = frozenset(resp.get("users") or [])
        except Exception as exc:  # Slack down: keep the last list, ask again soon
            log.warning("could not read user group %s: %s", self.settings.planning_group, exc)
            with self._lock:
                members = self._group[1]
                self._group = (time.monotonic() - self.ttl + 30, members)
            return members
        with self._lock:
            self._group = (time.monotonic(), members)
        return members

    def name_of(self, user: str, fallback: str = "") -> str:
        with self._lock:
            cached = self._names.get(user)
        if cached and time.monotonic() - cached[0] < self.ttl:
            return cached[1]
        name = fallback
        try:
            info = self.client.users_info(user=user).get("user") or {}
            profile = info.get("profile") or {}
            name = (profile.get("display_name") or info.get("real_name") or info.get("name")
                    or fallback)
        except Exception as exc:
            log.info("users.info %s failed (%s); using %r", user, exc, fallback)
        with self._lock:
            self._names[user] = (time.monotonic(), name)
        return name

    @staticmethod
    def is_external(body: Mapping[str, Any]) -> bool:
        """True when the user who acted belongs to another workspace (a customer pressing in a
        Slack Connect channel): their team differs from the one the app was called in."""
        user = body.get("user")
        team = body.get("team")
        if not isinstance(user, Mapping) or not isinstance(team, Mapping):
            return False
        user_team, app_team = user.get("team_id"), team.get("id")
        return bool(user_team and app_team and user_team != app_team)

    def actor(self, user: str, name: str = "") -> Actor:
        """The workflow actor of a Slack user; `name` from the payload saves a users.info."""
        return Actor(id=user, role=self.role_of(user), name=name or self.name_of(user, user))
