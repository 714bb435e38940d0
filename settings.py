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

# The API key every fresh checkout accepts: fine on a laptop, refused anywhere else.
DEV_API_KEY = "dev-api-key"
_PLACEHOLDER_SECRETS = {"", "changeme", "change-me", "secret", DEV_API_KEY}
# Flower passwords seen in examples and old defaults; with Flower's credentials anyone can
# read every task's arguments and control the workers.
_PLACEHOLDER_PASSWORDS = _PLACEHOLDER_SECRETS | {"admin", "password", "flower"}


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
    api_key: SecretStr = SecretStr(DEV_API_KEY)
    api_host: str = "127.0.0.1"
    api_port: int = 8000
    cors_origins: list[str] = Field(default_factory=list)
    max_upload_mb: int = 50
    # Bounded waits, so a flood of requests degrades into quick 503s instead of a wedge:
    # the longest a request waits for a pooled database connection (then 503 + Retry-After),
    # the longest an API read may run (and sit idle inside a transaction), and how long
    # SIGTERM waits for open requests before the API exits anyway.
    db_pool_timeout_s: float = 3.0
    db_statement_timeout_ms: int = 5000
    api_graceful_shutdown_s: int = 10
    # One status read of a batch serves every poll of it for this long (api/progress.py).
    api_status_max_age_ms: int = 200
    # Host header values the API answers (others get 400: DNS rebinding); "*" allows any.
    trusted_hosts: list[str] = Field(default_factory=lambda: ["localhost", "127.0.0.1", "::1"])
    # Requests per minute per API key, shared by every API process through Redis (a sliding
    # window); 0 turns the limit off. 1,200 lets one key poll status at 200/s for 6 s.
    rate_limit_per_minute: int = 1200
    # How long `api`, `worker`, `beat` and `flower` wait for `sales-agent migrate` to bring
    # configured servers' schema to the latest migration before refusing to start.
    schema_wait_s: float = 60.0

    # Celery delivery and limits
    visibility_timeout: int = 3600  # seconds; also bounds the longest countdown
    task_soft_time_limit: int = 120
    task_time_limit: int = 180
    max_retries: int = 5
    retry_backoff_max: int = 60
    max_deliveries: int = 3  # guard against endless redelivery of a task that kills workers
    dispatch_slice_size: int = 500
    # A running batch where no lead moved for this long has lost messages: re-send (beat).
    stalled_batch_seconds: int = 600
    worker_concurrency: int = 2

    # Agents
    engine: Literal["rules", "llm"] = "rules"
    scoring_config: Path = DEFAULT_SCORING_CONFIG
    # Qualification profile of dealer-format rows when a batch names none (scoring.toml
    # [qualification.profiles]); generic-format rows use the file's generic_format_profile.
    qualification_profile: str = "icp"
    # Tier thresholds: by default the ICP bands (A PLATINUM, B GOLD, C SILVER, D BRONZE).
    tier_a_min: int = 80
    tier_b_min: int = 60
    tier_c_min: int = 40
    default_timezone: str = "America/Chicago"

    # Website fetching (email discovery, site facts): see orchestration/integrations/web/
    fetch_websites: bool = False  # read lead websites at all (opt-in, like provider keys)
    fetch_allow_networks: list[str] = Field(default_factory=list)
    fetch_max_bytes: int = 2 * 1024 * 1024
    fetch_timeout_s: float = 10.0
    fetch_max_redirects: int = 5
    fetch_user_agent: str = ""
    fetch_respect_robots: bool = False
    email_discovery_timeout_s: float = 25.0  # whole discovery of one lead (several pages)

    # LangGraph checkpoints (BDR approvals, conversations): see orchestration/checkpoint/
    checkpoint_ttl_seconds: int = 14 * 24 * 3600  # a thread lives this long after its last write
    checkpoint_compression: Literal["none", "zlib", "zstd"] = "zlib"

    # Data providers and CRM (Hunter, Apollo, Close; LinkedIn needs no key): see
    # orchestration/integrations/. A provider without a key is skipped, and says so.
    hunter_api_key: SecretStr = SecretStr("")
    apollo_api_key: SecretStr = SecretStr("")
    close_api_key: SecretStr = SecretStr("")
    hunter_base_url: str = "https://api.hunter.io/v2"
    apollo_base_url: str = "https://api.apollo.io/api/v1"
    close_base_url: str = "https://api.close.com/api/v1"
    provider_timeout_s: float = 10.0  # one HTTP request to a provider
    provider_max_retries: int = 2  # on 429, 5xx, timeouts and dropped connections
    provider_max_wait_s: float = 20.0  # longest one lookup waits on rate limits and retries
    provider_rate_limits: dict[str, float] = Field(
        default_factory=lambda: {"hunter": 10.0, "apollo": 5.0, "close": 10.0}
    )  # requests per second per provider, shared by every worker (Redis)
    breaker_fail_max: int = 5  # consecutive failures that open a provider's circuit
    breaker_reset_timeout_s: int = 60  # how long an open circuit refuses calls
    enrichment_cache_ttl_days: dict[str, int] = Field(
        default_factory=lambda: {"hunter": 30, "apollo": 90, "close": 1, "website": 7}
    )
    enrichment_hot_cache_ttl_s: int = 6 * 3600  # Redis copy of a Postgres cache entry
    enrichment_timeout_s: float = 30.0  # the whole provider part of one lead's enrichment

    # LLM engine (orchestration/llm/): provider and model per agent, keys, limits, cache
    llm_provider: Literal["openai", "cerebras"] = "openai"
    llm_model: str = "gpt-4o-mini"
    llm_base_url: str = ""  # OpenAI-compatible endpoint (vLLM, Ollama...); empty = OpenAI's
    llm_models: dict[str, str] = Field(default_factory=dict)  # {"<agent>": "<provider>:<model>"}
    openai_api_key: SecretStr = SecretStr("")
    cerebras_api_key: SecretStr = SecretStr("")
    cerebras_base_url: str = ""  # empty = Cerebras' own API
    llm_timeout_s: float = 20.0
    llm_max_retries: int = 1  # SDK retries (429/5xx/connection) before falling back to rules
    llm_max_output_tokens: int = 1024
    llm_temperature: float = 0.0
    llm_cache_ttl_s: int = 7 * 24 * 3600  # a company scored by the model is not re-scored
    # Pool of `sales-agent worker`/`celery worker` without -P: "threads" keeps many slow
    # model calls in flight per process (measured: one process per core, -c 32 each).
    worker_pool: Literal["prefork", "threads", "solo"] = "prefork"

    # BDR approval, meeting booking and follow-ups: see orchestration/agents/bdr/, tasks/bdr.py
    calendar_provider: Literal["ics"] = "ics"  # where approved meetings are booked
    calendar_organizer_email: str = "bdr@sales-agent.local"  # ORGANIZER of the invitations
    calendar_uid_domain: str = "sales-agent.local"  # right-hand side of invitation UIDs
    follow_up_hop_seconds: int = 1800  # longest countdown of one follow-up hop (tasks/bdr.py)
    follow_up_sweep_seconds: int = 300  # `sales-agent beat`: re-send lost follow-ups this often

    # Conversations, voice, agent invocation and status: see tasks/conversation.py,
    # api/routes/{conversations,langgraph,agents}.py, orchestration/integrations/voice/
    conversation_reply_timeout_s: float = 30.0  # longest wait for a whole reply or its stream
    stream_ttl_seconds: int = 3600  # replay log of a streamed reply / invocation (late readers)
    sse_keepalive_seconds: float = 15.0  # an idle SSE stream sends a comment line this often
    invoke_timeout_s: float = 30.0  # default wait of /api/langgraph/invoke
    agent_status_window_minutes: int = 15  # latency and error rate look back this far
    agent_status_workers_cache_s: float = 5.0  # reuse one `inspect active_queues` this long
    voice_base_url: str = ""  # OpenAI-compatible audio API root ("…/v1"); empty = voice off
    voice_api_key: SecretStr = SecretStr("")
    voice_stt_model: str = "whisper-1"
    voice_tts_model: str = "tts-1"
    voice_tts_voice: str = "alloy"
    voice_tts_format: Literal["mp3", "opus", "aac", "flac", "wav", "pcm"] = "mp3"
    voice_timeout_s: float = 30.0
    voice_max_audio_mb: int = 25  # largest audio turn accepted (the OpenAI API's own limit)

    # Flower
    flower_port: int = 5555
    # "user:password[,user2:password2]"; empty: `sales-agent flower` makes a one-run password
    # in development and refuses to start elsewhere.
    flower_basic_auth: SecretStr = SecretStr("")

    log_level: str = "INFO"

    @model_validator(mode="after")
    def _refuse_placeholder_secrets(self) -> Settings:
        if self.environment == "production":
            if self.api_key.get_secret_value() in _PLACEHOLDER_SECRETS:
                raise ValueError("SALES_AGENT_API_KEY must be set to a real secret in production")
            flower = self.flower_basic_auth.get_secret_value()
            if flower and (problem := flower_auth_problem(flower)):
                raise ValueError(f"SALES_AGENT_FLOWER_BASIC_AUTH: {problem}")
        if not self.tier_a_min > self.tier_b_min > self.tier_c_min:
            raise ValueError("tier thresholds must satisfy A > B > C")
        return self

    @property
    def effective_broker_url(self) -> str:
        return self.broker_url or self.redis_url

    @property
    def uses_dev_api_key(self) -> bool:
        return self.api_key.get_secret_value() == DEV_API_KEY

    def api_start_problems(self) -> list[str]:
        """Why the API must not start with these settings (empty: it may).

        Outside ``development`` the known key and placeholder Flower credentials are
        refused; a blank or placeholder key is refused everywhere.
        """
        problems = []
        key = self.api_key.get_secret_value()
        if key in _PLACEHOLDER_SECRETS and not (
            self.environment == "development" and key == DEV_API_KEY
        ):
            problems.append(
                f"SALES_AGENT_API_KEY is a known placeholder; set a secret of your own "
                f"(environment {self.environment!r})"
            )
        flower = self.flower_basic_auth.get_secret_value()
        if self.environment != "development" and (problem := flower_auth_problem(flower)):
            problems.append(f"SALES_AGENT_FLOWER_BASIC_AUTH: {problem}")
        return problems


def flower_auth_problem(value: str) -> str | None:
    """What is wrong with Flower ``user:password[,user:password]`` credentials, if anything
    (nothing when none are set: Flower then refuses to start by itself)."""
    if not value:
        return None
    for pair in value.split(","):
        user, sep, password = pair.partition(":")
        if not sep or not user.strip():
            return "expected user:password (comma-separated pairs)"
        if password.strip().lower() in _PLACEHOLDER_PASSWORDS or password == user:
            return f"the password of {user!r} is empty or a known placeholder"
    return None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
