"""One name normaliser for agencies, shared by ingest and by queries.

Plans name the same department many ways — with or without the level prefix (`县`) or the
place (`平江县`), abbreviated (`发改局`, `科工信局`), in traditional script (`市財政局`), with
mirror damage (`城鄉(xiāng)`: a pinyin gloss a copying site inserted). Everything that decides
whether two spellings are one body lives here, as functions over the curated data in this
folder (abbreviations, endings, key rules) and the gazetteer, so a name that ingest resolves
resolves the same way in the API and the CLI. Normalise for matching, never in place of the
original: callers keep the name as written.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from plankg.ontology.folding import fold
from plankg.ontology.gazetteer import gazetteer

ONTOLOGY = Path(__file__).resolve().parent
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
_ALIAS_TAIL = re.compile(r"[（(〔]([^（()）〔〕]+)[)）〕]$")
_NOT_NAME = re.compile(r"[0-9０-９。，；;：:！？!?“”\"]")


# ---------------------------------------------------------------- data (ontology/ files)


def any_char_of(table: dict[int, str]) -> re.Pattern[str]:
    """A pattern matching any character a `str.translate` table maps (never matches for an
    empty table): searching for one is far cheaper than translating text with none."""
    if not table:
        return re.compile(r"(?!)")
    return re.compile("[" + "".join(re.escape(chr(c)) for c in sorted(table)) + "]")


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return [
            {k: (v or "").strip() for k, v in row.items()}
            for row in csv.DictReader(fh)
            if any((v or "").strip() for v in row.values())
        ]


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: one per data folder
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
    placeholders: frozenset[str] = frozenset()  # stand-ins for an unknown jurisdiction
    verbs: re.Pattern[str] = re.compile(r"(?!)")  # words that open a task, never a name
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
        placeholders=frozenset(r["value"] for r in by_type.get("placeholder", [])),
        verbs=re.compile(
            "|".join(
                re.escape(v)
                for v in sorted(
                    (r["value"] for r in by_type.get("verb", [])), key=len, reverse=True
                )
            )
            or r"(?!)"
        ),
        shorts=tuple(sorted(word_abbr, key=len, reverse=True)),
        full_forms=tuple(sorted(set(word_abbr.values()), key=len, reverse=True)),
    )


# ---------------------------------------------------------------- name-level helpers


_GLOSS = re.compile(r"[(（][a-zA-Zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹ]{1,8}[)）]")


def strip_glosses(text: str) -> str:
    """Without the pinyin a copying site inserted after characters: `城鄉(xiāng)` → `城鄉`."""
    return _GLOSS.sub("", text) if "(" in text or "（" in text else text


@lru_cache(maxsize=65536)  # pure in its text; the same names recur in every clause
def match_form(name: str) -> str:
    """The form names are compared in: cleaned, simplified, pinyin glosses removed."""
    return strip_glosses(fold(clean_name(name)))


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


@lru_cache(maxsize=65536)  # pure in its text; the same names recur in every clause
def is_collective(name: str) -> bool:
    """`各镇`, `各乡镇（街道）`, `区直各单位`, `市级各有关部门`: a group, not one body."""
    n = match_form(name)
    return bool(n) and any(p.fullmatch(n) for p in load_lexicon().collectives)


@lru_cache(maxsize=65536)  # pure in its text; the same names recur in every clause
def is_person(name: str) -> bool:
    """`县政府分管副县长`, `县发改局主要负责人`: a post held by a person, not an agency."""
    n = match_form(name)
    return bool(n) and bool(load_lexicon().person.search(n))


@lru_cache(maxsize=65536)
def agency_strength(name: str) -> str | None:
    """`strong` (局/委/办…), `weak` (公司/中心/镇…), or None: not an agency ending.

    Cached: the same candidate strings recur in every clause of a corpus."""
    lex = load_lexicon()
    n = match_form(name)
    alias = _ALIAS_TAIL.search(n)
    if alias and alias.start() > 0:
        # 县发改局（粮食局）, 高新园（邹区镇）: a name with its alias in brackets
        return agency_strength(n[: alias.start()]) or agency_strength(alias.group(1))
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


def starts_with_verb(text: str, pos: int = 0) -> bool:
    """`推进…`, `对…`: text from `pos` opens a task or a phrase, not an agency's name."""
    return bool(load_lexicon().verbs.match(text, pos))


def has_agency_ending(name: str) -> bool:
    """Whether a name ends with an agency ending of the suffix table (bare endings count:
    `各街道` ends with 街道), whatever the strength."""
    suf = _suffix(match_form(name), load_lexicon())
    return suf is not None and load_lexicon().suffixes[suf][0] != "not_agency"


def is_agency_like(name: str) -> bool:
    """Whether `name` reads as an agency by its ending (suffix data), used by clause detection."""
    return agency_strength(name) is not None


def guess_kind(name: str, *, party: bool = False) -> str:
    """Kind from the name: contains-rules (人民银行…), party units, then the suffix table."""
    lex = load_lexicon()
    n = match_form(name)
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
    ancestors: tuple[str, ...] = ()  # unique names, nearest first: 岳阳市, 湖南省
    code: str | None = None  # the official division code, when the gazetteer knows the place

    @classmethod
    def of(cls, jurisdiction: str, lex: Lexicon | None = None) -> Place:
        return _place_of(jurisdiction.strip(), lex or load_lexicon())

    def ancestor_at(self, level: str, lex: Lexicon | None = None) -> str | None:
        for name in self.ancestors:
            if Place.of(name, lex).level == level:
                return name
        return None


@lru_cache(maxsize=4096)
def _place_of(name: str, lex: Lexicon) -> Place:
    gaz = gazetteer()
    division = gaz.find(name)
    if division is not None:
        path = gaz.path(division)
        ancestors = tuple(gaz.display_name(d) for d in reversed(path[:-1]))
        level = division.prefix if division.prefix in _LEVEL_ORDER else "省"
        if division.prefix == "市" and division.level == "province":
            level = "市"  # 直辖市: 市发改委
        return Place(division.name, division.short or None, level, ancestors, division.code)
    # a place the gazetteer does not know (a test's invented county): read its suffix
    suffix = next((s for s in lex.place_suffixes if name.endswith(s)), None)
    if name in lex.placeholders or suffix is None or len(name) <= len(suffix):
        return Place(None, None, None)
    short = name[: -len(suffix)]
    level = suffix[-1] if suffix[-1] in _LEVEL_ORDER else None
    if suffix in ("自治区", "特别行政区"):
        level = "省"
    return Place(name, short if len(short) >= 2 else None, level)


def starts_with_place(name: str) -> bool:
    """Whether a name opens with a place of its own (`国网平江供电公司` does not; `岳阳市…`,
    `湘西经开区` do): any division's full or short name at its start."""
    gaz = gazetteer()
    head = name[:12]
    found = gaz.mentions(head)
    return bool(found) and found[0][0] == 0


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


@dataclass(frozen=True)
class NameKey:
    """How a name compares within one jurisdiction: place stripped, abbreviations expanded."""

    party: bool
    core: str
    how: str  # how the place was written: full | short | level | none


def name_key(name: str, place: Place, lex: Lexicon | None = None) -> NameKey:
    """The comparison key of `name` in `place` — the one function ingest and queries share."""
    lex = lex or load_lexicon()
    n = _apply(lex.key_pre, match_form(name))
    stripped = _strip_place(n, place, lex)
    rest = expand(stripped.rest, lex)
    party = stripped.party or rest in lex.party_units or stripped.rest in lex.party_units
    return NameKey(party, _apply(lex.key_post, rest), stripped.how)


# ---------------------------------------------------------------- lookup keys (stores, API, CLI)


def _key_text(key: NameKey) -> str:
    """A comparison key as a string; `~` marks it from a spelling as written (`县科工信局`),
    which a lookup tries first: an exact spelling beats a merely equivalent one."""
    return "~" + ("委:" if key.party else "") + key.core


def is_exact_key(key: str) -> bool:
    return not key.startswith("~")


def index_keys(name: str, jurisdiction: str, aliases: Iterable[str] = ()) -> set[str]:
    """The keys a store files an agency under. For each spelling: as written, without its
    place or level prefix, and written out with its jurisdiction (`平江县科工信局`); then its
    `name_key` within the jurisdiction, bare and qualified by the jurisdiction's full and
    short name — so every spelling ingest resolves is found, with or without its place."""
    place = Place.of(jurisdiction) if jurisdiction else Place(None, None, None)
    qualifiers = sorted({q for q in (jurisdiction, place.name, place.short) if q})
    keys: set[str] = set()
    for n in (name, *aliases):
        if not n:
            continue
        written = _written_keys(match_form(n), jurisdiction)
        keys |= written
        keys |= {q + w for q in qualifiers for w in written if not w.startswith(q)}
        key = name_key(n, place)
        keys.add(_key_text(key))
        keys |= {_key_text(NameKey(key.party, q + key.core, key.how)) for q in qualifiers}
    return keys


_WRITTEN_PREFIX = re.compile(r"^(县委|区委|市委|县|区|市|镇|乡)")


def _written_keys(folded: str, jurisdiction: str = "") -> set[str]:
    """A spelling, without its jurisdiction's name, without its level prefix: what people
    type when they copy a name from a plan (`自然资源局` for `县自然资源局`)."""
    out = {folded}
    if jurisdiction and folded.startswith(jurisdiction) and len(folded) > len(jurisdiction):
        out.add(folded[len(jurisdiction) :])
    for v in list(out):
        stripped = _WRITTEN_PREFIX.sub("", v)
        if stripped != v and len(stripped) >= 2:
            out.add(stripped)
    return out


def query_keys(name: str, jurisdiction: str | None = None) -> set[str]:
    """The keys a typed name is looked up with: as written (and without its level prefix),
    and its `name_key` within the jurisdiction given, else with its level taken off."""
    keys = _written_keys(match_form(name), jurisdiction or "")
    if jurisdiction:
        keys.add(_key_text(name_key(name, Place.of(jurisdiction))))
        return keys
    keys.add(_key_text(name_key(name, Place(None, None, query_level(name)))))
    return keys


def query_level(name: str) -> str | None:
    """The level a typed name is written at (`县发改局` → 县), if it opens with one."""
    folded = match_form(name)
    lex = load_lexicon()
    if any(folded.startswith(g) for g in lex.prefix_guards):
        return None
    return folded[0] if folded[:1] in _LEVEL_ORDER and len(folded) > 2 else None
