"""Connection settings for the Neo4j side of the contract suite, from the environment.

`PLANKG_NEO4J_PROFILE=falkordb` carries the test configuration for the FalkorDB Bolt server CI
starts (small messages, no constraint syntax, no database names); the product's Neo4j code path
is the same for both — only the loader's documented knobs differ.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from urllib.parse import urlparse


@dataclass(frozen=True)
class Neo4jSettings:
    uri: str
    user: str
    password: str
    profile: str  # "neo4j" or "falkordb"

    @property
    def batch_size(self) -> int:
        return 40 if self.profile == "falkordb" else 500

    @property
    def max_batch_bytes(self) -> int | None:
        return 3500 if self.profile == "falkordb" else None

    @property
    def schema(self) -> bool:
        return self.profile != "falkordb"

    @property
    def database(self) -> str | None:
        return None if self.profile == "falkordb" else os.environ.get("NEO4J_DATABASE")

    def driver(self):
        import neo4j

        if self.profile == "falkordb":
            bolt_handshake_workaround(self.uri)
        return neo4j.GraphDatabase.driver(self.uri, auth=(self.user, self.password))

    def clear(self, driver) -> None:
        with driver.session(database=self.database) if self.database else driver.session() as s:
            s.run("MATCH (n) DETACH DELETE n").consume()


def neo4j_settings() -> Neo4jSettings | None:
    uri = os.environ.get("NEO4J_URI")
    if not uri:
        return None
    return Neo4jSettings(
        uri,
        os.environ.get("NEO4J_USER", "neo4j"),
        os.environ.get("NEO4J_PASSWORD", ""),
        os.environ.get("PLANKG_NEO4J_PROFILE", "neo4j"),
    )


def bolt_handshake_workaround(uri: str) -> None:
    """FalkorDB can hang the first handshake after a closed connection; a throwaway one first."""
    parsed = urlparse(uri)
    try:
        s = socket.create_connection(
            (parsed.hostname or "127.0.0.1", parsed.port or 7687), timeout=1
        )
    except OSError:
        return
    try:
        s.sendall(b"\x60\x60\xb0\x17\x00\x07\x07\x05" + b"\x00" * 12)
        s.recv(4)
    except OSError:
        pass
    finally:
        s.close()
