"""Exporter tuning read from the environment (the destinations themselves live in
`workflow.settings.Settings`: EXPORT_DESTINATION, EXPORT_DESTINATION_NET)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ExporterSettings(BaseSettings):
    """Every field has a default that suits production; tests shorten the timings."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    timeout_seconds: float = Field(default=10.0, gt=0, alias="EXPORT_TIMEOUT_SECONDS")
    concurrency: int = Field(default=16, ge=1, le=256, alias="EXPORT_CONCURRENCY")
    claim_size: int = Field(default=500, ge=1, alias="EXPORT_CLAIM_SIZE")
    retry_base_seconds: float = Field(default=2.0, gt=0, alias="EXPORT_RETRY_BASE_SECONDS")
    retry_cap_seconds: float = Field(default=600.0, gt=0, alias="EXPORT_RETRY_CAP_SECONDS")
    # Renewed every third of it while a round is sent: a killed drain frees its batches
    # within this long.
    lease_seconds: float = Field(default=4.0, gt=0, alias="EXPORT_LEASE_SECONDS")
    drain_interval_seconds: float = Field(default=5.0, gt=0,
                                          alias="EXPORT_DRAIN_INTERVAL_SECONDS")
    refresh_minutes: float = Field(default=10.0, gt=0, alias="EXPORT_REFRESH_MINUTES")
    retention_days: int = Field(default=35, ge=1, alias="EXPORT_RETENTION_DAYS")
    webhook_token: str = Field(default="", alias="EXPORT_WEBHOOK_TOKEN", repr=False)
