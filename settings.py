"""The one settings object of sales-agent.

Every variable is read from the environment with the prefix ``SALES_AGENT_`` (or a
``.env`` file in the working directory). The README's settings table lists them all;
keep the two in step.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent
DEFAULT_SCORING_CONFIG = PROJECT_ROOT / "orchestration" / "config" / "scoring.toml"

_PLACEHOLDER_SECRETS = {"", "changeme", "change-me", "secret", "dev-api-key"}


class Settings(BaseSettings):
    """Runtime configuration; one instance per process (see :func:`get_settings`)."""

    model_config = SettingsConfigDict(
        env_prefix="SALES_AGENT_", env_file=".env", extra="ignore", frozen=True
    )

    environment: Literal["development", "test", "production"] = "development"
    # Connections. Empty means "start a local server" (see api/local_stack.py).
    database_url: str = ""
    redis_url: str = ""
    broker_url: str = ""  # defaults to redis_url
    data_dir: Path = PROJECT_ROOT / ".local-stack"

    # API
    api_key: SecretStr = SecretStr("dev-api-key")
    api_host: str = "127.0.0.1"
    api_port: int = 8000
    cors_origins: list[str] = Field(default_factory=list)
    max_upload_mb: int = 50

    # Celery delivery and limits
    visibility_timeout: int = 3600  # seconds; also bounds the longest countdown
    task_soft_time_limit: int = 120
    task_time_limit: int = 180
    max_retries: int = 5
    retry_backoff_max: int = 60
    max_deliveries: int = 3  # guard against endless redelivery of a task that kills workers
    dispatch_slice_size: int = 500
    worker_concurrency: int = 2

    # Agents
    engine: Literal["rules", "llm"] = "rules"
    scoring_config: Path = DEFAULT_SCORING_CONFIG
    tier_a_min: int = 80
    tier_b_min: int = 65
    tier_c_min: int = 50
    default_timezone: str = "America/Chicago"

    # Website fetching (email discovery): see orchestration/integrations/web/fetch.py
    fetch_allow_networks: list[str] = Field(default_factory=list)
    fetch_max_bytes: int = 2 * 1024 * 1024
    fetch_timeout_s: float = 10.0
    fetch_max_redirects: int = 5
    fetch_user_agent: str = ""
    fetch_respect_robots: bool = False

    # LangGraph checkpoints (BDR approvals, conversations): see orchestration/checkpoint/
    checkpoint_ttl_seconds: int = 14 * 24 * 3600  # a thread lives this long after its last write
    checkpoint_compression: Literal["none", "zlib", "zstd"] = "zlib"

    # Flower
    flower_port: int = 5555
    flower_basic_auth: str = "admin:admin"

    log_level: str = "INFO"

    @model_validator(mode="after")
    def _refuse_placeholder_secrets(self) -> Settings:
        if self.environment == "production":
            if self.api_key.get_secret_value() in _PLACEHOLDER_SECRETS:
                raise ValueError("SALES_AGENT_API_KEY must be set to a real secret in production")
            if self.flower_basic_auth in {"admin:admin", ""}:
                raise ValueError("SALES_AGENT_FLOWER_BASIC_AUTH must be set in production")
        if not self.tier_a_min > self.tier_b_min > self.tier_c_min:
            raise ValueError("tier thresholds must satisfy A > B > C")
        return self

    @property
    def effective_broker_url(self) -> str:
        return self.broker_url or self.redis_url


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
