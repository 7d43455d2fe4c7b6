"""Agency resolution: from an agency as a clause writes it (`县科工信局`) to one canonical
body of one jurisdiction (`平江县科技和工业信息化局`).

Plans name the same department many ways — with or without the level prefix (`县`) or
the place (`平江县`), abbreviated (`发改局`, `科工信局`, `文旅广体局`) or by an older name.
The curated alias table (`ontology/agencies.csv`) answers for agencies seen before;
everything else goes through generic knowledge kept as data under `ontology/`
(abbreviations, suffixes, key rules) and the gazetteer, through the one name normaliser
`ontology/names.py`, so the resolver also works for counties it has never seen. Unknown
agencies are minted, not dropped, and added to the directory so later plans of the same
jurisdiction reuse them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from plankg.ingest.model import Agency
from plankg.ontology.names import (
    _LEVEL_ORDER,
    KINDS,
    ONTOLOGY,
    Lexicon,
    Place,
    _apply,
    _rows,
    _strip_place,
    _suffix,
    agency_strength,
    clean_name,
    expand,
    fold,
    guess_kind,
    is_agency_like,
    is_collective,
    is_person,
    load_lexicon,
    match_form,
    name_key,
    starts_with_place,
)

# ---------------------------------------------------------------- directory and resolver


@dataclass(frozen=True)
class Resolution:
    """How a raw name was resolved — for tests, warnings and debugging."""

    agency: Agency
    method: str  # exact | collective | expanded | upper-level | subsequence | minted | empty


class AgencyDirectory:
    """All known agencies by jurisdiction: the curated table plus everything minted since."""

    def __init__(self, agencies: Iterable[Agency] = (), lexicon: Lexicon | None = None) -> None:
        self.lexicon = lexicon or load_lexicon()
        self._by_j: dict[str, dict[str, Agency]] = {}
        self._resolvers: dict[str, AgencyResolver] = {}
        for agency in agencies:
            self.add(agency)

    @classmethod
    def load(
        cls, path: str | Path | None = None, lexicon: Lexicon | None = None
    ) -> AgencyDirectory:
        """Read an alias table (`canonical,jurisdiction,kind,aliases`); default the packaged one."""
        path = Path(path) if path is not None else ONTOLOGY / "agencies.csv"
        agencies = []
        for row in _rows(path):
            aliases = tuple(a.strip() for a in row.get("aliases", "").split("|") if a.strip())
            canonical = row["canonical"]
            agencies.append(
                Agency(
                    canonical=canonical,
                    jurisdiction=row["jurisdiction"],
                    kind=row.get("kind") or guess_kind(canonical),
                    aliases=aliases,
                    collective=is_collective(canonical),
                )
            )
        return cls(agencies, lexicon)

    def add(self, agency: Agency) -> Agency:
        """Register an agency (first registration of a canonical name wins)."""
        table = self._by_j.setdefault(agency.jurisdiction, {})
        kept = table.setdefault(agency.canonical, agency)
        resolver = self._resolvers.get(agency.jurisdiction)
        if resolver is not None:
            resolver._index(kept)
        return kept

    def resolver(self, jurisdiction: str, ancestors: tuple[str, ...] = ()) -> AgencyResolver:
        """The resolver of one jurisdiction; `ancestors` (nearest first) place a jurisdiction
        the gazetteer does not list under its city and province."""
        if jurisdiction not in self._resolvers:
            self._resolvers[jurisdiction] = AgencyResolver(self, jurisdiction, ancestors)
        return self._resolvers[jurisdiction]

    def jurisdictions(self) -> list[str]:
        return list(self._by_j)

    def all_agencies(self) -> list[Agency]:
        return [a for table in self._by_j.values() for a in table.values()]

    def agencies_of(self, jurisdiction: str) -> list[Agency]:
        return list(self._by_j.get(jurisdiction, {}).values())


class AgencyResolver:
    """Resolves raw agency names for one jurisdiction; two jurisdictions never share an agency."""

    def __init__(
        self, directory: AgencyDirectory, jurisdiction: str, ancestors: tuple[str, ...] = ()
    ) -> None:
        self.directory = directory
        self.jurisdiction = jurisdiction
        self.lex = directory.lexicon
        self.place = Place.of(jurisdiction, self.lex)
        if ancestors and not self.place.ancestors:
            self.place = replace(self.place, ancestors=ancestors)
        self._alias: dict[str, Agency] = {}
        self._keys: dict[tuple[bool, str], dict[str, Agency]] = {}
        self._cache: dict[str, Resolution] = {}
        self._key_of: dict[str, tuple[bool, str]] = {}
        for agency in directory.agencies_of(jurisdiction):
            self._index(agency)

    # -- indexing

    def _index(self, agency: Agency) -> None:
        for name in (agency.canonical, *agency.aliases):
            n = match_form(name)
            self._alias.setdefault(n, agency)
            self._keys.setdefault(self.key(n), {}).setdefault(agency.canonical, agency)

    def key(self, name: str) -> tuple[bool, str]:
        """The comparison form (`ontology.names.name_key`): place stripped, abbreviations
        expanded, spelling variants folded."""
        found = self._key_of.get(name)
        if found is None:  # the same form is keyed again by each resolution step it reaches
            k = name_key(name, self.place, self.lex)
            found = self._key_of[name] = (k.party, k.core)
        return found

    # -- resolution

    def resolve(self, raw: str) -> Agency:
        return self.explain(raw).agency

    def explain(self, raw: str) -> Resolution:
        name = clean_name(raw)
        if name not in self._cache:
            self._cache[name] = self._resolve(name)
        return self._cache[name]

    def _resolve(self, name: str) -> Resolution:
        if not name:
            return Resolution(Agency("", self.jurisdiction, "other"), "empty")
        folded = match_form(name)
        if folded in self._alias:
            return Resolution(self._alias[folded], "exact")
        if any(p.fullmatch(folded) for p in self.lex.collectives):
            agency = Agency(folded, self.jurisdiction, "other", (name,), collective=True)
            return Resolution(self.directory.add(agency), "collective")
        found = self._unique(self._keys.get(self.key(folded), {}))
        if found is not None:
            return Resolution(found, "expanded")
        upper = self._upper_level(name, folded)
        if upper is not None:
            return upper
        found = self._subsequence(folded)
        if found is not None:
            return Resolution(found, "subsequence")
        return Resolution(self._mint(name, folded), "minted")

    @staticmethod
    def _unique(candidates: dict[str, Agency]) -> Agency | None:
        return next(iter(candidates.values())) if len(candidates) == 1 else None

    def _upper_level(self, name: str, folded: str) -> Resolution | None:
        """`市生态环境局平江分局` in 平江县: the parent city's body (or its local branch)."""
        level = folded[:1]
        own = self.place.level
        if (
            own is None
            or level not in _LEVEL_ORDER
            or _LEVEL_ORDER[level] >= _LEVEL_ORDER.get(own, 9)
            or any(folded.startswith(g) for g in self.lex.prefix_guards)
            or len(folded) < 3
        ):
            return None
        tail = folded[1:]
        # a known body of this jurisdiction written with the ancestor's name: 岳阳市…平江分局
        matches = {
            a.canonical: a
            for n, a in self._alias.items()
            if n.endswith(tail) and n[: -len(tail)].endswith(level) and len(n) > len(folded)
        }
        if len(matches) == 1:
            return Resolution(next(iter(matches.values())), "upper-level")
        ancestor = self.place.ancestor_at(level, self.lex)
        if ancestor is None:  # an upper body of a place we don't know: keep its level prefix
            canonical = expand(folded, self.lex)
            agency = Agency(canonical, self.jurisdiction, guess_kind(canonical), (name,))
            return Resolution(self.directory.add(agency), "minted")
        full = ancestor + folded[1:]
        found = self._alias.get(match_form(full)) or self._unique(
            self._keys.get(self.key(full), {})
        )
        if found is not None:
            return Resolution(found, "upper-level")
        if self.place.short and self.place.short in tail:  # a local branch of the upper body
            canonical = ancestor + expand(folded[1:], self.lex)
            agency = Agency(canonical, self.jurisdiction, guess_kind(canonical), (name,))
            return Resolution(self.directory.add(agency), "minted")
        return Resolution(self.directory.resolver(ancestor).resolve(name), "upper-level")

    def _subsequence(self, folded: str) -> Agency | None:
        """`商务局` → `商务粮食局`, `国网公司` → `国网平江供电公司`: one known body, same ends."""
        party, k = self.key(folded)
        if len(k) < 3:
            return None
        suf = _suffix(k, self.lex) or k[-1]
        found: dict[str, Agency] = {}
        for (other_party, other), agencies in self._keys.items():
            if other_party != party or len(other) <= len(k) or other[0] != k[0]:
                continue
            if not other.endswith(suf) or (_suffix(other, self.lex) or other[-1]) != suf:
                continue
            if _is_subsequence(k, other):
                found.update(agencies)
        return self._unique(found)

    def _mint(self, name: str, folded: str) -> Agency:
        stripped = _strip_place(_apply(self.lex.key_pre, folded), self.place, self.lex)
        party = stripped.party or stripped.rest in self.lex.party_units
        if self.place.name is None:
            canonical = expand(folded, self.lex)
        elif stripped.how in ("full", "level") or (
            stripped.how == "none" and not self._carries_place(folded)
        ):
            rest = expand(stripped.rest, self.lex)
            under_party = stripped.party or (party and rest.endswith("部"))
            canonical = self.place.name + ("委" if under_party else "") + rest
        else:
            canonical = folded  # carries a place of its own: 平江高新区, 国网平江供电公司
        agency = Agency(canonical, self.jurisdiction, guess_kind(canonical, party=party), (name,))
        return self.directory.add(agency)

    def _carries_place(self, folded: str) -> bool:
        if self.place.short and self.place.short in folded:
            return True
        if folded.startswith(self.lex.national_prefixes):
            return True
        if starts_with_place(folded):
            return True
        if any(folded.startswith(j) for j in self.directory.jurisdictions() if len(j) >= 3):
            return True
        return bool(re.match(r"[\u4e00-\u9fff]{2,3}[省市州](?!场|民|政)", folded))


def _is_subsequence(short: str, long: str) -> bool:
    it = iter(long)
    return all(ch in it for ch in short)


__all__ = [
    "KINDS",
    "AgencyDirectory",
    "AgencyResolver",
    "Lexicon",
    "Place",
    "Resolution",
    "agency_strength",
    "clean_name",
    "expand",
    "fold",
    "guess_kind",
    "is_agency_like",
    "is_collective",
    "is_person",
    "load_lexicon",
]
