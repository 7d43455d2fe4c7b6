"""Connection settings for the Neo4j side of the suite, from the environment.

NEO4J_URI names the server (CI starts Neo4j's own Community test server, `tools/neo4j.sh`; any
Neo4j 5 or Aura works); NEO4J_USER / NEO4J_PASSWORD / NEO4J_DATABASE as for `plankg load`.
The loader runs with its product defaults: 1,000-row batches and uniqueness constraints.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from conftest import require


@dataclass(frozen=True)
class Neo4jSettings:
    uri: str
    user: str
    password: str
    database: str | None

    def driver(self) -> Any:
        import neo4j

        from plankg.graph.neo4j_store import DRIVER_OPTIONS

        return neo4j.GraphDatabase.driver(
            self.uri, auth=(self.user, self.password), **DRIVER_OPTIONS
        )

    def session(self, driver: Any) -> Any:
        return driver.session(database=self.database) if self.database else driver.session()

    def loader(self, driver: Any, **knobs: Any) -> Any:
        from plankg.graph.neo4j_store import Neo4jLoader

        return Neo4jLoader(driver, database=self.database, **knobs)

    def clear(self, driver: Any) -> None:
        """Every node and relationship, in bounded transactions (a 1,000-plan graph is large)."""
        with self.session(driver) as s:
            while s.run(
                "MATCH (n) WITH n LIMIT 10000 DETACH DELETE n RETURN count(*) AS n"
            ).single()["n"]:
                pass


def neo4j_settings() -> Neo4jSettings | None:
    uri = os.environ.get("NEO4J_URI")
    if not uri:
        return None
    return Neo4jSettings(
        uri,
        os.environ.get("NEO4J_USER", "neo4j"),
        os.environ.get("NEO4J_PASSWORD", ""),
        os.environ.get("NEO4J_DATABASE") or None,
    )


def neo4j_or_skip() -> Neo4jSettings:
    """The settings, or a skip (a failure under PLANKG_REQUIRE_NEO4J=1) without a server."""
    settings = neo4j_settings()
    if settings is None:
        require("PLANKG_REQUIRE_NEO4J", "NEO4J_URI is not set: no Bolt server to test against")
    assert settings is not None
    return settings
