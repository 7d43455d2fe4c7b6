"""Which place a plan speaks for, found in the gazetteer of China's divisions.

A plan rarely states its jurisdiction once and plainly. The evidence, strongest first:
the places the text names (the title's `湖州市人民政府办公室`, the body's `嘉鱼经济开发区`), the
organisation code inside an 索引号 (`113706850042672474` holds division code 370685), a
province's abbreviation opening its own document number (`黔府发〔2015〕29号`), a parent place
with a single child of the plan's level (芜湖 + a 县 plan → 南陵县), and last the page's web
address (`www.cqstl.gov.cn`: 重庆市 + 铜梁). The level comes first — `我县`, `县发改局`,
`分管县领导` — and only places of that level compete. Nothing is guessed: with no place of the level
named, the answer is None and the caller says so.
"""

from __future__ import annotations

import csv
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import cache
from urllib.parse import urlparse

from plankg.ontology.gazetteer import DATA, Division, Gazetteer, gazetteer

_HAN = r"\u4e00-\u9fff"
# The level prefixes a plan writes its own bodies with, longest first.
LEVELS = ("自治区", "地区", "省", "市", "州", "盟", "县", "区", "旗")
_MIN_SCORE = 2.0
_HEAD = 6000  # characters of the text searched for place names
# 统一社会信用代码 of a government body: 1 (编制部门) + kind + 6-digit division code + 10 more
_CREDIT_CODE = re.compile(r"(?<![0-9A-Z])1[1-9]([1-8]\d{5})[0-9A-HJ-NP-RT-Y]{9}[0-9A-HJ-NP-RT-Y]")
_DOC_NUMBER = re.compile(rf"([{_HAN}]{{1,3}}?)(?:政|府)[{_HAN}]{{0,3}}〔\d{{4}}〕\d+号")
_HOST_NOISE = frozenset("www gov cn com net org zwgk xxgk m wap".split())


@dataclass(frozen=True)
class Finding:
    """The detected jurisdiction (or none) and how it was found."""

    division: Division | None
    how: str  # text | credit-code | doc-number | parent | url | given | none
    evidence: str = ""
    level: str | None = None
    candidates: tuple[str, ...] = ()  # when several places tie


@dataclass
class _Tally:
    score: float = 0.0
    evidence: list[str] = field(default_factory=list)

    def add(self, points: float, why: str) -> None:
        self.score += points
        if why not in self.evidence:
            self.evidence.append(why)


_LEVELS_ALT = "|".join(LEVELS)
_OWN_LEVEL = re.compile(f"[我全本]({_LEVELS_ALT})(?![{_HAN}]*?级)")
_LEVEL_BODY = re.compile(
    rf"(?<![{_HAN}]{{2}})({_LEVELS_ALT})(?=委|政府|领导|[{_HAN}]{{1,8}}?[局委办厅])"
)


def detect_level(text: str) -> str | None:
    """The level the plan speaks for: `我县`/`全区` and level-prefixed bodies (`县发改局`)."""
    counts: Counter[str] = Counter()
    for m in _OWN_LEVEL.finditer(text):
        counts[m.group(1)] += 3
    for m in _LEVEL_BODY.finditer(text):
        counts[m.group(1)] += 1
    best = counts.most_common(1)[0] if counts else ("", 0)
    return best[0] if best[1] > 0 else None


def _compatible(division: Division, level: str | None) -> bool:
    if level is None:
        return True
    if level == "市":
        return division.prefix == "市"
    if level in ("省", "自治区"):
        return division.level == "province" and division.prefix == level
    return division.prefix == level


@cache
def province_abbreviations() -> dict[str, str]:
    """Abbreviation used in a provincial government's document numbers → province name."""
    with (DATA / "province_abbreviations.csv").open(encoding="utf-8", newline="") as fh:
        return {r["abbreviation"]: r["province"] for r in csv.DictReader(fh)}


def detect(text: str, title: str = "", url: str | None = None) -> Finding:
    """The plan's jurisdiction from its (simplified) text, title and optional web address."""
    gaz = gazetteer()
    level = detect_level(title + "\n" + text)
    tallies: dict[str, _Tally] = defaultdict(_Tally)
    named: Counter[str] = Counter()  # every division named, any level, for parent support

    short_seen: Counter[str] = Counter()
    # a plan states its place near the top (title, addressees, preamble) and repeats it there
    head = text[:_HEAD]
    for where, source, weight in (("title", title, 2.0), ("text", head, 1.0)):
        for at, name, divisions in gaz.mentions(source):
            full = any(name == d.name or name in d.aliases for d in divisions)
            for d in divisions:
                if not _plausible_mention(source, at, name, d, full):
                    continue
                named[d.code] += 1
                if not _compatible(d, level):
                    continue
                if full:
                    tallies[d.code].add(3.0 * weight, f"{name} in the {where}")
                else:  # a short name can be an ordinary word (新建, 同心): repeats add little
                    points = 1.0 if short_seen[d.code] == 0 else 0.5
                    short_seen[d.code] += 1
                    tallies[d.code].add(points * weight, f"{name} in the {where}")
    for code in list(tallies):
        d = gaz.by_code[code]
        for ancestor in gaz.path(d)[:-1]:
            if named[ancestor.code]:
                tallies[code].add(1.5, f"its parent {ancestor.name} is named")
        children = sum(named[c.code] for c in gaz.children.get(code, []))
        if children:
            tallies[code].add(0.5, "places under it are named")

    for code, n in Counter(m.group(1) for m in _CREDIT_CODE.finditer(text)).items():
        d = gaz.by_code.get(code)
        if d is not None and _compatible(d, level):
            tallies[code].add(4.0, f"organisation code with division code {code} ({n}×)")

    if level in ("省", "自治区", None):
        head = "\n".join(text.split("\n")[:8])
        for m in _DOC_NUMBER.finditer(title + "\n" + head):
            province = province_abbreviations().get(m.group(1))
            d = gaz.find(province) if province else None
            if d is not None and _compatible(d, level):
                tallies[d.code].add(3.0, f"document number {m.group(0)}")
                break

    best = _best(tallies)
    if isinstance(best, tuple):
        return Finding(None, "none", "several places fit", level, best)
    if best is not None and tallies[best].score >= _MIN_SCORE:
        d = gaz.by_code[best]
        how = "credit-code" if tallies[best].evidence[0].startswith("organisation") else "text"
        if tallies[best].evidence[0].startswith("document number"):
            how = "doc-number"
        return Finding(d, how, "; ".join(tallies[best].evidence), level)

    # a named parent with exactly one child of the plan's level
    if level is not None:
        only = _only_child(gaz, named, level)
        if only is not None:
            return Finding(only[0], "parent", only[1], level)
    if url:
        hit = from_url(url, level, gaz)
        if hit is not None:
            return Finding(hit, "url", f"web address {urlparse(url).hostname}", level)
    return Finding(None, "none", "no place of the plan's level is named", level)


_OWN_BODY = re.compile(r"(?:人民政府|政府|县委|区委|市委|人大|政协)")


_PARK_TAIL = re.compile(r"(?:经开区|高新区|开发区|新区|园区|工业园|产业园|示范区|试验区|自贸区)")


def _plausible_mention(text: str, at: int, name: str, d: Division, full: bool) -> bool:
    """A short name followed by a place ending (`大通` in `大通湖区`) names another place; a
    one-character place stem (康县, 和县) is read only where it cannot be the end of a word:
    after a non-Han character or before 人民政府/县委… (`健康县` is not 康县)."""
    if not full:
        after = text[at + len(name) : at + len(name) + 4]
        extended = re.match(f"[{_HAN}]{{1,3}}?[区县市州旗]", after)
        return not (extended and not _PARK_TAIL.match(after))
    if d.short or name != d.name:
        return True
    before = text[at - 1] if at > 0 else ""
    if not re.match(f"[{_HAN}]", before):
        return True
    return bool(_OWN_BODY.match(text, at + len(name)))


def _best(tallies: dict[str, _Tally]) -> str | tuple[str, ...] | None:
    if not tallies:
        return None
    ranked = sorted(tallies.items(), key=lambda kv: -kv[1].score)
    top = ranked[0][1].score
    tied = [code for code, t in ranked if t.score == top]
    if len(tied) > 1 and top >= _MIN_SCORE:
        gaz = gazetteer()
        return tuple(gaz.display_name(gaz.by_code[c]) for c in tied)
    return ranked[0][0]


def _only_child(gaz: Gazetteer, named: Counter[str], level: str) -> tuple[Division, str] | None:
    found = {}
    for code in named:
        parent = gaz.by_code[code]
        kids = [c for c in gaz.children.get(code, []) if _compatible(c, level)]
        if len(kids) == 1:
            found[kids[0].code] = (kids[0], f"{parent.name} is named and has one {level}")
    return next(iter(found.values())) if len(found) == 1 else None


def _forms(d: Division) -> set[str]:
    """How a web address spells a place: pinyin or initials, of the name or its short form."""
    syllables = d.pinyin
    short_len = len(d.short) if d.short else len(d.name)
    out = set()
    for part in (syllables, syllables[:short_len]):
        out.add("".join(part))
        out.add("".join(s[0] for s in part if s))
    return {f for f in out if len(f) >= 2}


def from_url(url: str, level: str | None, gaz: Gazetteer | None = None) -> Division | None:
    """A government site's host name spells its place (`www.lingbi.gov.cn`, `www.cqstl.gov.cn`
    = 重庆市 + 铜梁); only `.gov.cn` hosts are read, and only a single match counts."""
    gaz = gaz or gazetteer()
    host = (urlparse(url).hostname or "").lower()
    if not host.endswith(".gov.cn"):
        return None
    labels = [label for label in host.split(".") if label not in _HOST_NOISE and len(label) >= 2]
    hits: dict[str, Division] = {}
    for d in gaz.by_code.values():
        if not _compatible(d, level):
            continue
        forms = _forms(d)
        for ancestor in gaz.path(d)[:-1]:
            forms |= {a + f for a in _forms(ancestor) for f in _forms(d)}
        if any(label in forms for label in labels):
            hits[d.code] = d
    return next(iter(hits.values())) if len(hits) == 1 else None


@dataclass(frozen=True)
class Given:
    """A jurisdiction the user named: the gazetteer's division, or a place the table does not
    list (a management district such as 大通湖区) under the divisions written before it."""

    name: str
    division: Division | None
    parents: tuple[Division, ...] = ()  # province first


def given(name: str) -> Given:
    """`桐乡市`, `嘉兴市桐乡市`, `湖南省益阳市大通湖区`: the divisions written left to right."""
    gaz = gazetteer()
    name = name.strip()
    exact = gaz.find(name)
    if exact is not None:
        return Given(name, exact, tuple(gaz.path(exact)[:-1]))
    parents: list[Division] = []
    rest = name
    pool = [d for d in gaz.by_code.values() if d.level == "province"]
    while rest:
        hit = max(
            (d for d in pool if rest.startswith(d.name) and len(rest) >= len(d.name)),
            key=lambda d: len(d.name),
            default=None,
        )
        if hit is None:
            if not parents:  # a prefecture or county written without its province
                hit = next(
                    (d for d in gaz.by_code.values() if rest.startswith(d.name) and rest != d.name),
                    None,
                )
                if hit is None:
                    break
                parents = gaz.path(hit)[:-1]
            else:
                break
        parents.append(hit)
        rest = rest[len(hit.name) :]
        pool = gaz.children.get(hit.code, [])
    if not rest and parents:
        return Given(name, parents[-1], tuple(parents[:-1]))
    return Given(rest or name, None, tuple(parents))


__all__ = ["Finding", "Given", "detect", "detect_level", "from_url", "given"]
