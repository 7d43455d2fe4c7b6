"""Agency resolution: from an agency as a clause writes it (`县科工信局`) to one canonical
body of one jurisdiction (`平江县科技和工业信息化局`).

Plans name the same department many ways — with or without the level prefix (`县`) or
the place (`平江县`), abbreviated (`发改局`, `科工信局`, `文旅广体局`) or by an older name.
The curated alias table (`ontology/agencies.csv`) answers for agencies seen before;
everything else goes through generic knowledge kept as data under `ontology/`
(abbreviations, suffixes, key rules, places), so the resolver also works for counties it
has never seen. Unknown agencies are minted, not dropped, and added to the directory so
later plans of the same jurisdiction reuse them.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path

from plankg.ingest.model import Agency
from plankg.ingest.normalize import any_char_of

ONTOLOGY = Path(__file__).resolve().parent.parent / "ontology"
KINDS = (
    "government_department",
    "party_department",
    "park_committee",
    "state_enterprise",
    "financial_regulator",
    "association",
    "other",
)
_LEVEL_ORDER = {"省": 0, "市": 1, "州": 1, "盟": 1, "县": 2, "区": 2, "旗": 2, "镇": 3, "乡": 3}
_JUNK = re.compile(r"[\s*\u3000]+")
_EDGE = "、，,；;：:。.“”\"'‘’《》<>*"
_NOT_NAME = re.compile(r"[0-9０-９。，；;：:！？!?“”\"]")


# ---------------------------------------------------------------- data (ontology/ files)


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return [
            {k: (v or "").strip() for k, v in row.items()}
            for row in csv.DictReader(fh)
            if any((v or "").strip() for v in row.values())
        ]


@dataclass(frozen=True)
class Lexicon:
    """Generic knowledge about Chinese agency names, read from the `ontology/` data files."""

    word_abbr: dict[str, str]  # abbreviation → full form, anywhere in a name
    name_abbr: dict[str, str]  # abbreviation → full form, whole name (after the place) only
    suffixes: dict[str, tuple[str, str]]  # suffix → (kind, strength); kind may be not_agency
    key_pre: tuple[tuple[re.Pattern[str], str], ...]
    key_post: tuple[tuple[re.Pattern[str], str], ...]
    collectives: tuple[re.Pattern[str], ...]
    person: re.Pattern[str]
    kind_contains: tuple[tuple[str, str], ...]
    party_units: frozenset[str]
    national_prefixes: tuple[str, ...]
    prefix_guards: tuple[str, ...]
    place_suffixes: tuple[str, ...]
    places: dict[str, tuple[str, str]]  # place → (parent, short)
    placeholders: frozenset[str] = frozenset()  # stand-ins for an unknown jurisdiction
    fold_table: dict[int, str] = field(default_factory=dict)
    fold_chars: re.Pattern[str] = re.compile(r"(?!)")  # any key of fold_table
    shorts: tuple[str, ...] = ()  # word abbreviations, longest first
    full_forms: tuple[str, ...] = ()  # their full forms, longest first


@cache
def load_lexicon(directory: Path = ONTOLOGY) -> Lexicon:
    """Read the data files once per directory."""
    word_abbr: dict[str, str] = {}
    name_abbr: dict[str, str] = {}
    for row in _rows(directory / "agency_abbreviations.csv"):
        (name_abbr if row["scope"] == "name" else word_abbr)[row["short"]] = row["full"]
    suffixes = {
        row["suffix"]: (row["kind"], row["strength"] or "weak")
        for row in _rows(directory / "agency_suffixes.csv")
    }
    by_type: dict[str, list[dict[str, str]]] = {}
    for row in _rows(directory / "agency_lexicon.csv"):
        by_type.setdefault(row["type"], []).append(row)

    def rules(kind: str) -> tuple[tuple[re.Pattern[str], str], ...]:
        return tuple((re.compile(r["value"]), r["replacement"]) for r in by_type.get(kind, []))

    persons = "|".join(f"(?:{r['value']})" for r in by_type.get("person", []))
    places = {
        row["name"]: (row["parent"], row["short"]) for row in _rows(directory / "jurisdictions.csv")
    }
    fold = {
        ord(row["traditional"]): row["simplified"]
        for row in _rows(directory / "char_folding.csv")
        if len(row["traditional"]) == 1 and len(row["simplified"]) == 1
    }
    return Lexicon(
        word_abbr=word_abbr,
        name_abbr=name_abbr,
        suffixes=suffixes,
        key_pre=rules("key_pre"),
        key_post=rules("key_post"),
        collectives=tuple(re.compile(r["value"]) for r in by_type.get("collective", [])),
        person=re.compile(persons or r"(?!)"),
        kind_contains=tuple(
            (r["value"], r["replacement"]) for r in by_type.get("kind_contains", [])
        ),
        party_units=frozenset(r["value"] for r in by_type.get("party_unit", [])),
        national_prefixes=tuple(r["value"] for r in by_type.get("national_prefix", [])),
        prefix_guards=tuple(r["value"] for r in by_type.get("prefix_guard", [])),
        place_suffixes=tuple(
            sorted((r["value"] for r in by_type.get("place_suffix", [])), key=len, reverse=True)
        ),
        places=places,
        placeholders=frozenset(r["value"] for r in by_type.get("placeholder", [])),
        fold_table=fold,
        fold_chars=any_char_of(fold),
        shorts=tuple(sorted(word_abbr, key=len, reverse=True)),
        full_forms=tuple(sorted(set(word_abbr.values()), key=len, reverse=True)),
    )


# ---------------------------------------------------------------- name-level helpers


def fold(text: str) -> str:
    """Traditional → simplified, one character for one (offsets are kept), for matching only."""
    lex = load_lexicon()
    # a regex test runs ~15x faster than translate, and most text has nothing to fold
    return text.translate(lex.fold_table) if lex.fold_chars.search(text) else text


def clean_name(raw: str) -> str:
    """An agency as written, without white space, markdown, edge punctuation and trailing 等."""
    name = _JUNK.sub("", raw).strip(_EDGE)
    while name.endswith("等") and len(name) > 1:
        name = name[:-1].rstrip(_EDGE)
    return name


def _suffix(name: str, lex: Lexicon) -> str | None:
    for size in range(min(len(name), 8), 0, -1):
        if name[-size:] in lex.suffixes:
            return name[-size:]
    return None


def is_collective(name: str) -> bool:
    """`各镇`, `各乡镇（街道）`, `区直各单位`, `市级各有关部门`: a group, not one body."""
    n = fold(clean_name(name))
    return bool(n) and any(p.fullmatch(n) for p in load_lexicon().collectives)


def is_person(name: str) -> bool:
    """`县政府分管副县长`, `县发改局主要负责人`: a post held by a person, not an agency."""
    n = fold(clean_name(name))
    return bool(n) and bool(load_lexicon().person.search(n))


@lru_cache(maxsize=65536)
def agency_strength(name: str) -> str | None:
    """`strong` (局/委/办…), `weak` (公司/中心/镇…), or None: not an agency ending.

    Cached: the same candidate strings recur in every clause of a corpus."""
    lex = load_lexicon()
    n = fold(clean_name(name))
    if not n or len(n) > 40 or _NOT_NAME.search(n) or is_person(n):
        return None
    if any(p.fullmatch(n) for p in lex.collectives):
        return "weak"
    suf = _suffix(n, lex)
    if suf is None:
        return None
    kind, strength = lex.suffixes[suf]
    if kind == "not_agency":
        return None
    if len(n) == len(suf) and len(suf) < 3:
        return None  # a bare `局` or `公司` is not a name
    return strength


def is_agency_like(name: str) -> bool:
    """Whether `name` reads as an agency by its ending (suffix data), used by clause detection."""
    return agency_strength(name) is not None


def guess_kind(name: str, *, party: bool = False) -> str:
    """Kind from the name: contains-rules (人民银行…), party units, then the suffix table."""
    lex = load_lexicon()
    n = fold(clean_name(name))
    if any(p.fullmatch(n) for p in lex.collectives):
        return "other"
    for needle, kind in lex.kind_contains:
        if needle in n:
            return kind
    if any(n.endswith(unit) for unit in lex.party_units):
        return "party_department"
    suf = _suffix(n, lex)
    kind = lex.suffixes[suf][0] if suf else "other"
    if kind == "not_agency":
        return "other"
    if party and kind == "government_department" and n.endswith(("部", "委", "办", "办公室")):
        return "party_department"
    return kind if kind in KINDS else "other"


@lru_cache(maxsize=64)
def _alternation(words: tuple[str, ...]) -> re.Pattern[str]:
    """One regex trying `words` in order at a position: what `next(w for w in words if
    s.startswith(w, i))` finds, without a Python-level loop over the vocabulary."""
    return re.compile("|".join(re.escape(w) for w in words) if words else r"(?!)")


def expand(core: str, lex: Lexicon | None = None) -> str:
    """Abbreviations → full forms (`科工信局` → `科技和工业信息化局`); full forms stay as is."""
    lex = lex or load_lexicon()
    if core in lex.name_abbr:
        return lex.name_abbr[core]
    shorts, fulls = _alternation(lex.shorts), _alternation(lex.full_forms)
    out: list[str] = []
    i = 0
    while i < len(core):
        found_full = fulls.match(core, i)
        found_short = shorts.match(core, i)
        full = found_full.group() if found_full else ""
        short = found_short.group() if found_short else ""
        if full and len(full) >= len(short):
            out.append(full)
            i += len(full)
        elif short:
            out.append(lex.word_abbr[short])
            i += len(short)
        else:
            out.append(core[i])
            i += 1
    result = "".join(out)
    return lex.name_abbr.get(result, result)


# ---------------------------------------------------------------- places


@dataclass(frozen=True)
class Place:
    """A jurisdiction as the resolver needs it: full name, short name, level and ancestors."""

    name: str | None  # None for an unknown jurisdiction
    short: str | None
    level: str | None  # the character clauses prefix agencies with: 县, 区, 市…
    ancestors: tuple[str, ...] = ()

    @classmethod
    def of(cls, jurisdiction: str, lex: Lexicon) -> Place:
        name = jurisdiction.strip()
        suffix = next((s for s in lex.place_suffixes if name.endswith(s)), None)
        if name in lex.placeholders or suffix is None or len(name) <= len(suffix):
            return cls(None, None, None)
        parent, short = lex.places.get(name, ("", ""))
        short = short or name[: -len(suffix)]
        level = suffix[-1] if suffix[-1] in _LEVEL_ORDER else None
        if suffix in ("自治区", "特别行政区"):
            level = "省"
        ancestors: list[str] = []
        while parent and parent not in ancestors and len(ancestors) < 5:
            ancestors.append(parent)
            parent = lex.places.get(parent, ("", ""))[0]
        return cls(name, short if len(short) >= 2 else None, level, tuple(ancestors))

    def ancestor_at(self, level: str, lex: Lexicon) -> str | None:
        for name in self.ancestors:
            place = Place.of(name, lex)
            if place.level == level:
                return name
        return None


@dataclass(frozen=True)
class _Stripped:
    party: bool  # written under the party committee: 县委组织部
    rest: str  # the name after the place / level prefix
    how: str  # "full" (平江县…), "short" (平江…), "level" (县…) or "none"


def _strip_place(name: str, place: Place, lex: Lexicon) -> _Stripped:
    prefixes: list[tuple[str, bool, str]] = []
    if place.name:
        prefixes += [(place.name + "委", True, "full"), (place.name, False, "full")]
    if place.short:
        prefixes.append((place.short, False, "short"))
    if place.level:
        prefixes += [(place.level + "委", True, "level"), (place.level, False, "level")]
    for prefix, party, how in prefixes:
        if not name.startswith(prefix) or len(name) <= len(prefix):
            continue
        rest = name[len(prefix) :]
        if party and rest.startswith("员会"):
            continue
        if how == "level" and any(name.startswith(g) for g in lex.prefix_guards):
            continue
        return _Stripped(party, rest, how)
    return _Stripped(False, name, "none")


def _apply(rules: Iterable[tuple[re.Pattern[str], str]], text: str) -> str:
    for pattern, repl in rules:
        text = pattern.sub(repl, text)
    return text


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

    def resolver(self, jurisdiction: str) -> AgencyResolver:
        if jurisdiction not in self._resolvers:
            self._resolvers[jurisdiction] = AgencyResolver(self, jurisdiction)
        return self._resolvers[jurisdiction]

    def jurisdictions(self) -> list[str]:
        return list(self._by_j)

    def all_agencies(self) -> list[Agency]:
        return [a for table in self._by_j.values() for a in table.values()]

    def agencies_of(self, jurisdiction: str) -> list[Agency]:
        return list(self._by_j.get(jurisdiction, {}).values())


class AgencyResolver:
    """Resolves raw agency names for one jurisdiction; two jurisdictions never share an agency."""

    def __init__(self, directory: AgencyDirectory, jurisdiction: str) -> None:
        self.directory = directory
        self.jurisdiction = jurisdiction
        self.lex = directory.lexicon
        self.place = Place.of(jurisdiction, self.lex)
        self._alias: dict[str, Agency] = {}
        self._keys: dict[tuple[bool, str], dict[str, Agency]] = {}
        self._cache: dict[str, Resolution] = {}
        for agency in directory.agencies_of(jurisdiction):
            self._index(agency)

    # -- indexing

    def _index(self, agency: Agency) -> None:
        for name in (agency.canonical, *agency.aliases):
            n = fold(clean_name(name))
            self._alias.setdefault(n, agency)
            self._keys.setdefault(self.key(n), {}).setdefault(agency.canonical, agency)

    def key(self, name: str) -> tuple[bool, str]:
        """The comparison form: place stripped, abbreviations expanded, spelling variants folded."""
        n = _apply(self.lex.key_pre, fold(clean_name(name)))
        stripped = _strip_place(n, self.place, self.lex)
        rest = expand(stripped.rest, self.lex)
        party = (
            stripped.party or rest in self.lex.party_units or stripped.rest in self.lex.party_units
        )
        return party, _apply(self.lex.key_post, rest)

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
        folded = fold(name)
        if folded in self._alias:
            return Resolution(self._alias[folded], "exact")
        if any(p.fullmatch(folded) for p in self.lex.collectives):
            agency = Agency(name, self.jurisdiction, "other", (name,), collective=True)
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
        full = ancestor + name[1:]
        found = self._alias.get(fold(full)) or self._unique(self._keys.get(self.key(full), {}))
        if found is not None:
            return Resolution(found, "upper-level")
        if self.place.short and self.place.short in tail:  # a local branch of the upper body
            canonical = ancestor + expand(name[1:], self.lex)
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
            canonical = name  # carries a place of its own: 平江高新区, 国网平江供电公司
        agency = Agency(canonical, self.jurisdiction, guess_kind(canonical, party=party), (name,))
        return self.directory.add(agency)

    def _carries_place(self, folded: str) -> bool:
        if self.place.short and self.place.short in folded:
            return True
        if folded.startswith(self.lex.national_prefixes):
            return True
        for place, (_, short) in self.lex.places.items():
            if folded.startswith(place) or (short and len(short) >= 2 and folded.startswith(short)):
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
