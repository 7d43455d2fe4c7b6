"""Every environment variable plankg reads, in one pydantic-settings object read once.

`PLANKG_*` configure the server and the CLI; `NEO4J_*` name the Neo4j server that
`plankg serve --store neo4j` and `plankg load` use (the same variables the Neo4j tests read).
Nothing else in the product reads `os.environ`: `tests/test_docs.py` fails when a variable
is read elsewhere or a setting here is missing from README.md.
"""

from __future__ import annotations

import functools

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from plankg.ingest.limits import DEFAULT_LIMITS, Limits

MIB = 1024 * 1024
KIB = 1024


class Settings(BaseSettings):
    """Defaults are for one office machine serving a few people on an intranet."""

    model_config = SettingsConfigDict(
        env_prefix="PLANKG_", extra="ignore", populate_by_name=True, frozen=True
    )

    # changes through the API (upload, delete, reload) need this key in X-API-Key
    api_key: SecretStr | None = None
    # request bodies (uploads) over this many MiB (1 MiB = 1,048,576 bytes) are refused with 413
    max_body_mib: float = Field(20.0, gt=0)
    # comma-separated origins allowed to call the API from a browser (CORS off when empty)
    cors_origins: str = ""
    # /sparql and /cypher: seconds before a query is answered 503, and rows returned at most
    query_timeout_s: float = Field(10.0, gt=0)
    query_row_limit: int = Field(1000, ge=1)
    # /sparql's sandbox: worker processes (also the most user Cypher queries at once) and the
    # memory cap of each (MB, RLIMIT_DATA); a query past it is stopped with 503
    query_workers: int = Field(2, ge=1)
    query_memory_mb: int = Field(1024, ge=64)

    # an upload's extraction (api/upload_worker.py): seconds and address space (MB) it may take;
    # over either the worker is killed and the upload answered 413
    upload_timeout_s: float = Field(120.0, gt=0)
    upload_memory_mb: int = Field(2048, ge=128)

    # `plankg serve` defaults for --host / --port
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    # HTTP hygiene (api/http_server.py): connections served at once, above it 503; pending
    # connections the kernel queues; request line + headers size (KiB, above it 431); seconds for
    # a request's headers to arrive; seconds an idle keep-alive connection stays open
    limit_concurrency: int = Field(100, ge=1)
    backlog: int = Field(128, ge=1)
    max_header_kib: int = Field(16, ge=1)
    header_timeout_s: float = Field(10.0, gt=0)
    keep_alive_s: float = Field(5.0, gt=0)

    # what one plan file may cost to read (ingest/limits.py; each in the unit its name gives)
    max_file_bytes: int = Field(DEFAULT_LIMITS.max_file_bytes, gt=0)
    max_name_bytes: int = Field(DEFAULT_LIMITS.max_name_bytes, gt=0)
    docx_max_members: int = Field(DEFAULT_LIMITS.docx_max_members, gt=0)
    docx_max_unpacked_bytes: int = Field(DEFAULT_LIMITS.docx_max_unpacked_bytes, gt=0)
    docx_max_xml_bytes: int = Field(DEFAULT_LIMITS.docx_max_xml_bytes, gt=0)
    docx_max_ratio: float = Field(DEFAULT_LIMITS.docx_max_ratio, gt=0)
    pdf_max_pages: int = Field(DEFAULT_LIMITS.pdf_max_pages, gt=0)
    html_max_bytes: int = Field(DEFAULT_LIMITS.html_max_bytes, gt=0)
    max_chars: int = Field(DEFAULT_LIMITS.max_chars, gt=0)
    max_tasks: int = Field(DEFAULT_LIMITS.max_tasks, gt=0)

    # Neo4j (plankg serve --store neo4j, plankg load); read without the PLANKG_ prefix
    neo4j_uri: str | None = Field(None, validation_alias=AliasChoices("NEO4J_URI", "neo4j_uri"))
    neo4j_user: str = Field("neo4j", validation_alias=AliasChoices("NEO4J_USER", "neo4j_user"))
    neo4j_password: SecretStr = Field(
        SecretStr(""), validation_alias=AliasChoices("NEO4J_PASSWORD", "neo4j_password")
    )
    neo4j_database: str | None = Field(
        None, validation_alias=AliasChoices("NEO4J_DATABASE", "neo4j_database")
    )

    @property
    def max_body_bytes(self) -> int:
        """The limit in the unit the body is counted in."""
        return int(self.max_body_mib * MIB)

    @property
    def limits(self) -> Limits:
        """The per-plan reading limits these settings give."""
        return Limits(**{f: getattr(self, f) for f in Limits.__dataclass_fields__})

    @property
    def max_header_bytes(self) -> int:
        return self.max_header_kib * KIB

    @property
    def cors_origin_list(self) -> list[str]:
        return [o.strip() for o in self.cors_origins.split(",") if o.strip()]

    @property
    def api_key_value(self) -> str | None:
        key = self.api_key.get_secret_value() if self.api_key else ""
        return key or None

    @classmethod
    def env_names(cls) -> dict[str, str]:
        """Field name -> the environment variable that sets it."""
        names = {}
        for name, field in cls.model_fields.items():
            alias = field.validation_alias
            if isinstance(alias, AliasChoices):
                names[name] = str(alias.choices[0])
            else:
                names[name] = "PLANKG_" + name.upper()
        return names


@functools.lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings, read from the environment on first use."""
    return Settings()
