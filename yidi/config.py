"""Settings from the environment (YIDI_*), with the CLI able to override them."""

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="YIDI_", extra="ignore")

    # An external PostgreSQL (>= 14); when unset the embedded one under data_dir is used.
    database_url: str | None = None
    data_dir: Path = Path(".yidi")
    # Signs bearer tokens. Required outside demo mode: the server refuses to start without it.
    secret_key: str | None = Field(default=None, min_length=32)
    token_ttl_minutes: int = 8 * 60
    demo: bool = False
    # GraphQL limits against abusive queries (QUERY_TOO_COMPLEX).
    max_query_depth: int = 12
    max_aliases: int = 30
    max_tokens: int = 5000
    max_page_size: int = 100
    # Public (no account) operations: requests per client address per window.
    submit_per_10min: int = 5
    track_per_minute: int = 30
    evaluate_per_10min: int = 10
    track_misses_per_15min: int = 5
    # trackCase answers no sooner than this, so a hit and a miss take the same time.
    track_min_seconds: float = 0.2
    # Live updates: events a subscriber may have waiting before it is disconnected (4008),
    # and how often feeds look for events when no notification came.
    subscription_buffer: int = 1000
    subscription_poll_seconds: float = 5.0
    # How often each process tries to sweep for deadline alerts (one sweeps at a time).
    sweep_interval_seconds: float = 60.0
    # Tests drive sweeps themselves; a server always runs the loop.
    run_sweeper: bool = True

    def signing_key(self) -> str:
        if self.secret_key:
            return self.secret_key
        raise RuntimeError(
            "YIDI_SECRET_KEY must be set (at least 32 characters); "
            "`yidi serve --demo` makes one in its data directory."
        )
