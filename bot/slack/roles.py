"""Who a Slack user is to the workflow: planning (USEN企画) or sales (営業), and their name.

Planning staff are listed by user ID (RENKEI_PLANNING_USERS) and/or are members of a user
group (RENKEI_PLANNING_GROUP). Group members and display names are cached a few minutes so a
click costs no extra Slack call. A user of another workspace (Slack Connect) that is not part
of our Enterprise Grid org is external: a customer (bot/slack/guard.py keeps them out).
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
_ASK_AGAIN_SECONDS = 30.0


class Roles:
    def __init__(self, settings: Settings, client: Any, *, ttl: float = 300.0) -> None:
        self.settings = settings
        self.client = client
        self.ttl = ttl
        self._lock = threading.Lock()
        self._group: tuple[float, frozenset[str]] = (0.0, frozenset())
        self._names: dict[str, tuple[float, str]] = {}
        self._stop = threading.Event()
        self._teams: dict[str, tuple[float, str, str]] = {}  # user -> (at, team, org)
        self._home: tuple[str, str] | None = None
        self._fallback_home: tuple[str, str] = ("", "")
        self._asking = False  # our auth.test is in flight
        self._ask_after = 0.0  # monotonic time before which a failed auth.test is not retried

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


    def _user_info(self, user: str) -> dict[str, Any] | None:
        try:
            return dict(self.client.users_info(user=user).get("user") or {})
        except Exception as exc:
            log.info("users.info %s failed (%s)", user, exc)
            return None

    def name_of(self, user: str, fallback: str = "") -> str:
        with self._lock:
            cached = self._names.get(user)
        if cached and time.monotonic() - cached[0] < self.ttl:
            return cached[1]
        name = fallback
        info = self._user_info(user)
        if info is not None:
            profile = info.get("profile") or {}
            name = (profile.get("display_name") or info.get("real_name") or info.get("name")
                    or fallback)
            self._remember_team(user, info)
        with self._lock:
            self._names[user] = (time.monotonic(), name)
        return name

    def actor(self, user: str, name: str = "") -> Actor:
        """The workflow actor of a Slack user; `name` from the payload saves a users.info."""
        return Actor(id=user, role=self.role_of(user), name=name or self.name_of(user, user))

    # ---- inside or outside the workspace (Slack Connect) -------------------------------
    def home_team(self) -> tuple[str, str]:
        """(team id, Enterprise Grid org id or "") of the workspace that installed the app.

        Never waits for Slack (this runs before the ack): until our own `auth.test` has
        answered, in the background, Bolt's start-up answer (`learn_home`) serves;
        ("", "") when neither is known yet. A failed `auth.test` is asked again a little
        later, by the next request that needs it."""
        with self._lock:
            if self._home is not None:
                return self._home
            fallback = self._fallback_home
            auth_test = getattr(self.client, "auth_test", None)
            if auth_test is None:  # the terminal adapter: one workspace, nobody external
                self._home = ("", "")
                return self._home
            if self._asking or time.monotonic() < self._ask_after:
                return fallback
            self._asking = True
        threading.Thread(target=self._ask_home, args=(auth_test,), name="renkei-auth-test",
                         daemon=True).start()
        return fallback

    def _ask_home(self, auth_test: Any) -> None:
        try:
            resp = auth_test()
            home: tuple[str, str] | None = (str(resp.get("team_id") or ""),
                                            str(resp.get("enterprise_id") or ""))
        except Exception as exc:
            log.warning("auth.test failed; Bolt's start-up answer serves meanwhile: %s", exc)
            home = None
        with self._lock:
            self._asking = False
            if home is None:
                self._ask_after = time.monotonic() + _ASK_AGAIN_SECONDS
            else:
                self._home = home

    def learn_home(self, team_id: str, enterprise_id: str = "") -> None:
        """Keep the installing workspace from an `auth.test` someone already made (Bolt's),
        for when our own cannot be made."""
        with self._lock:
            self._fallback_home = (team_id, enterprise_id)

    def _outside(self, team: str, enterprise: str, fallback_team: str = "") -> bool:
        home_team, home_org = self.home_team()
        home_team = home_team or fallback_team
        if not team or not home_team or team == home_team:
            return False
        # Another workspace of the same Enterprise Grid org is the same company: internal.
        return not (home_org and enterprise == home_org)

    def is_external(self, body: Mapping[str, Any]) -> bool:
        """True when the user who acted belongs to another workspace (a customer in a Slack
        Connect channel) that is not part of our Enterprise Grid org.

        Interactive payloads carry `user.team_id` (and `enterprise.id`); slash commands
        `team_id` (and `enterprise_id`).
        """
        user = body.get("user")
        team_obj = body.get("team")
        team_obj = team_obj if isinstance(team_obj, Mapping) else {}
        org_obj = body.get("enterprise")
        org_obj = org_obj if isinstance(org_obj, Mapping) else {}
        if isinstance(user, Mapping):
            team = str(user.get("team_id") or team_obj.get("id") or "")
            enterprise = str(org_obj.get("id") or user.get("enterprise_id") or "")
        else:
            team = str(body.get("team_id") or "")
            enterprise = str(body.get("enterprise_id") or "")
        return self._outside(team, enterprise, str(team_obj.get("id") or ""))

    def _remember_team(self, user: str, info: Mapping[str, Any]) -> None:
        grid = info.get("enterprise_user")
        org = str(grid.get("enterprise_id") or "") if isinstance(grid, Mapping) else ""
        with self._lock:
            self._teams[user] = (time.monotonic(), str(info.get("team_id") or ""), org)

    def is_external_user(self, user: str) -> bool:
        """The same question for a bare user id (App Home events carry no team), answered
        by `users.info` and cached. Unknown (Slack down) counts as external: the Home shown
        then is the empty one, which leaks nothing."""
        with self._lock:
            cached = self._teams.get(user)
        if not cached or time.monotonic() - cached[0] >= self.ttl:
            info = self._user_info(user)
            if info is None:
                return True
            self._remember_team(user, info)
            with self._lock:
                cached = self._teams[user]
        return self._outside(cached[1], cached[2])
