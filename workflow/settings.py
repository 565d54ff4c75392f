"""Every setting renkei reads, in one place (mirrored, with comments, in .env.example)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from functools import lru_cache
from typing import Annotated

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


def _split_csv(value: object) -> object:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


DEMO_PLANNER = "kikaku"  # planning staff when none is configured


class Settings(BaseSettings):
    """Read from the environment and an optional `.env` file; every field has a safe default."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    database_url: str = Field(default="sqlite:///./renkei.db", alias="DATABASE_URL")

    # Roles: planning staff (USEN企画) by Slack user ID or CLI user name; anyone else is sales.
    planning_users: Annotated[list[str], NoDecode] = Field(
        default_factory=list, alias="RENKEI_PLANNING_USERS"
    )
    planning_group: str = Field(default="", alias="RENKEI_PLANNING_GROUP")

    # Lead time and SLA, in business days (weekends, holidays.JP and closures skipped).
    many_stores_threshold: int = Field(default=10, ge=1, alias="RENKEI_MANY_STORES_THRESHOLD")
    lead_days: int = Field(default=3, ge=0, alias="RENKEI_LEAD_DAYS")
    lead_days_many: int = Field(default=5, ge=0, alias="RENKEI_LEAD_DAYS_MANY")
    sla_days: int = Field(default=5, ge=1, alias="RENKEI_SLA_DAYS")
    sla_days_many: int = Field(default=7, ge=1, alias="RENKEI_SLA_DAYS_MANY")
    closures: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["12-29..01-03"], alias="RENKEI_CLOSURES"
    )
    timezone: str = Field(default="Asia/Tokyo", alias="RENKEI_TIMEZONE")
    # A fixed "now" (ISO 8601 with an offset, e.g. 2026-11-24T10:00+09:00) for rehearsals,
    # demos and tests; unset is the real clock. Every date rule (lead time, 連携開始日 today
    # or later, the SLA) reads this clock.
    now: datetime | None = Field(default=None, alias="RENKEI_NOW")

    # Slack (all optional: without tokens `renkei run` starts the terminal adapter).
    slack_bot_token: str = Field(default="", alias="SLACK_BOT_TOKEN", repr=False)
    slack_signing_secret: str = Field(default="", alias="SLACK_SIGNING_SECRET", repr=False)
    slack_app_token: str = Field(default="", alias="SLACK_APP_TOKEN", repr=False)
    slack_api_url: str = Field(default="https://slack.com/api/", alias="SLACK_API_URL")
    slack_requests_channel: str = Field(default="", alias="SLACK_REQUESTS_CHANNEL")
    slack_command: str = Field(default="/renkei", alias="RENKEI_SLACK_COMMAND")
    # Posts per second into one channel, sustained, and the burst allowed above it (Slack:
    # about one message a second per channel, short bursts tolerated).
    slack_channel_rate: float = Field(default=1.0, gt=0, alias="SLACK_CHANNEL_POSTS_PER_SECOND")
    slack_channel_burst: int = Field(default=5, ge=1, alias="SLACK_CHANNEL_BURST")
    http_port: int = Field(default=3000, alias="RENKEI_HTTP_PORT")

    # The register's 閉局 call (POST /pos/close): off unless a token is set; on its own
    # internal port when RENKEI_POS_PORT is set (then the public Slack port does not serve it).
    pos_token: str = Field(default="", alias="RENKEI_POS_TOKEN", repr=False)
    pos_port: int | None = Field(default=None, ge=0, le=65535, alias="RENKEI_POS_PORT")
    # /readyz fails below this much free disk where the SQLite file lives (MB).
    ready_min_free_mb: int = Field(default=50, ge=0, alias="RENKEI_READY_MIN_FREE_MB")

    # Exporter.
    export_destination: str = Field(default="./exports", alias="EXPORT_DESTINATION")
    export_destination_net: str = Field(default="./exports-net", alias="EXPORT_DESTINATION_NET")

    # Kintone, e-mail, reminders (unset means the feature falls back).
    kintone_base_url: str = Field(default="", alias="KINTONE_BASE_URL")
    kintone_app_id: str = Field(default="", alias="KINTONE_APP_ID")
    kintone_api_token: str = Field(default="", alias="KINTONE_API_TOKEN", repr=False)
    kintone_field_codes: str = Field(default="", alias="KINTONE_FIELD_CODES")
    smtp_host: str = Field(default="", alias="SMTP_HOST")
    smtp_port: int = Field(default=587, alias="SMTP_PORT")
    smtp_from: str = Field(default="", alias="SMTP_FROM")
    smtp_user: str = Field(default="", alias="SMTP_USER")
    smtp_password: str = Field(default="", alias="SMTP_PASSWORD", repr=False)
    smtp_starttls: bool = Field(default=True, alias="SMTP_STARTTLS")
    reminder_check_minutes: int = Field(default=15, ge=1, alias="RENKEI_REMINDER_CHECK_MINUTES")
    outbox_retention_days: int = Field(default=35, ge=1, alias="RENKEI_OUTBOX_RETENTION_DAYS")

    # Web pages for people without Slack (partner, customer, dashboard; bot/web). Without a
    # secret key the pages are off: the signed links could not be checked.
    secret_key: str = Field(default="", alias="RENKEI_SECRET_KEY", repr=False)
    public_url: str = Field(default="http://localhost:3000", alias="RENKEI_PUBLIC_URL")
    partner_email: str = Field(default="", alias="PARTNER_EMAIL")
    operator_token: str = Field(default="", alias="RENKEI_OPERATOR_TOKEN", repr=False)
    partner_link_days: int = Field(default=14, ge=1, alias="RENKEI_PARTNER_LINK_DAYS")
    customer_link_days: int = Field(default=30, ge=1, alias="RENKEI_CUSTOMER_LINK_DAYS")
    viewer_link_minutes: int = Field(default=60, ge=1, alias="RENKEI_VIEWER_LINK_MINUTES")

    @field_validator("pos_token")
    @classmethod
    def _long_token(cls, value: str) -> str:
        # A guessable token would make the register route a public export switch.
        if value and len(value) < 32:
            raise ValueError("RENKEI_POS_TOKEN must be at least 32 characters "
                             "(e.g. `openssl rand -hex 32`)")
        return value

    @field_validator("pos_port", mode="before")
    @classmethod
    def _empty_port(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("planning_users", "closures", mode="before")
    @classmethod
    def _csv(cls, value: object) -> object:
        return _split_csv(value)

    @field_validator("now", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("now")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("RENKEI_NOW needs a UTC offset, e.g. 2026-11-24T10:00+09:00")
        return value

    def clock(self) -> Callable[[], datetime]:
        """The clock every service of this process reads: RENKEI_NOW when set, else UTC now."""
        fixed = self.now
        if fixed is None:
            return lambda: datetime.now(UTC)
        return lambda: fixed

    @model_validator(mode="after")
    def _someone_plans(self) -> Settings:
        # A fresh clone has no planning staff: the terminal, the CLI and the README's examples
        # all act as planning with `kikaku` (one rule, so they agree on who is planning).
        if not self.planning_users and not self.planning_group:
            self.planning_users = [DEMO_PLANNER]
        return self

    def role_of(self, user: str) -> str:
        """The workflow role of a user id known only by name (CLI, terminal adapter)."""
        return "planning" if user in self.planning_users else "sales"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Settings of this process, read once."""
    return Settings()
