"""Settings from the environment (YIDI_*), with the CLI able to override them."""

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="YIDI_", extra="ignore")

    # An external PostgreSQL (>= 14); when unset the embedded one under data_dir is used.
    database_url: str | None = None
    data_dir: Path = Path(".yidi")
    # Connections each process keeps to PostgreSQL; as many again may open in a burst, plus
    # one for LISTEN: a process holds at most 2 × this + 1 (docs/DEPLOYMENT.md).
    database_pool_size: int = Field(default=10, ge=1)
    # Signs bearer tokens. Required outside demo mode: the server refuses to start without it.
    secret_key: str | None = Field(default=None, min_length=32)
    token_ttl_minutes: int = 8 * 60
    demo: bool = False
    # GraphQL limits against abusive queries (QUERY_TOO_COMPLEX); docs/OPERATIONS.md.
    max_query_depth: int = 12
    max_aliases: int = 30
    max_tokens: int = 5000
    max_page_size: int = 100
    max_document_bytes: int = 20_000
    max_fragments: int = 50
    max_directives: int = 50
    # Fields an operation may resolve, each list counted once per item it may return.
    max_query_cost: int = 50_000
    # The largest page any paginated field serves (Case.events); larger `first` is refused.
    max_page_factor: int = 200
    execution_timeout_seconds: float = 15.0
    # The HTTP body (413 beyond it, read no further) and its JSON nesting (400 beyond it).
    max_body_bytes: int = 1_000_000
    max_json_depth: int = 32
    # Variables: longer strings or lists are BAD_USER_INPUT naming the variable.
    max_variable_string_length: int = 50_000
    max_variable_list_length: int = 1_000
    # Seconds a client may take to send its whole body (408 beyond it).
    body_timeout_seconds: float = 10.0
    # Evidence uploads (docs/CASE_FILE.md, "Evidence"): the largest file, the seconds a
    # client may take to send a multipart request, and where the blobs are kept (None:
    # `<data_dir>/attachments`; share it between the processes serving one database).
    max_upload_bytes: int = 10 * 1024 * 1024
    upload_timeout_seconds: float = 120.0
    attachment_dir: Path | None = None
    # Introspection and "did you mean" suggestions: None means on in demo mode only.
    expose_schema: bool | None = None
    # Seconds uvicorn keeps an idle connection open for the client's next request.
    keep_alive_timeout_seconds: int = 5
    # Public (no account) operations: requests per client address per window.
    submit_per_10min: int = 5
    track_per_minute: int = 30
    evaluate_per_10min: int = 10
    track_misses_per_15min: int = 5
    # Login back-off (docs/OPERATIONS.md): failures free of any wait, then waits doubling
    # from 1 s up to the cap; a streak is forgotten after a quiet while.
    login_free_failures_per_username: int = 5
    login_free_failures_per_address: int = 20
    login_backoff_base_seconds: float = 1.0
    login_max_wait_per_username_seconds: float = 300.0
    login_max_wait_per_address_seconds: float = 900.0
    login_forget_after_seconds: float = 900.0
    # trackCase answers no sooner than this, so a hit and a miss take the same time.
    track_min_seconds: float = 0.2
    # Live updates: events a subscriber may have waiting before it is disconnected (4008),
    # and how often feeds look for events when no notification came.
    subscription_buffer: int = 1000
    subscription_poll_seconds: float = 5.0
    # Seconds each process remembers who a token's user is (roles, unit, active); a change
    # to a user reaches every process within this (resolvers/actor_cache.py). 0: off.
    actor_cache_seconds: float = 1.0
    # /healthz fails (503) while the event loop runs later than this (a stalled process).
    max_loop_lag_seconds: float = 1.0
    # How often each process tries to sweep for deadline alerts (one sweeps at a time).
    sweep_interval_seconds: float = 60.0
    # Tests drive sweeps themselves; a server always runs the loop.
    run_sweeper: bool = True
    # 12345 hotline callbacks (docs/HOTLINE.md): how often each process looks for due ones,
    # and the first retry's wait (doubling after each failure, up to an hour).
    hotline_poll_seconds: float = 5.0
    hotline_retry_base_seconds: float = 5.0

    def schema_exposed(self) -> bool:
        return self.demo if self.expose_schema is None else self.expose_schema

    def attachments_path(self) -> Path:
        return self.attachment_dir or self.data_dir / "attachments"

    def signing_key(self) -> str:
        if self.secret_key:
            return self.secret_key
        raise RuntimeError(
            "YIDI_SECRET_KEY must be set (at least 32 characters); "
            "`yidi serve --demo` makes one in its data directory."
        )
