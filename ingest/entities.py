"""Named parks and projects in task text, and which park a project is located in.

Names in Chinese prose have no delimiters. A park is the run of characters before a park
suffix (`工业区`, `产业园`…), trimmed of the verbs that introduce it. A project is found by
its shape — an item of an explicit project list, an `X项目`/`X工程` after a verb of pushing
work on, a facility name after a verb of building or with a closer after it — and kept only
when it names one undertaking rather than a kind (see the projects section; the vocabularies
are `ontology/project_vocabulary.csv`). Precision beats recall: a wrong project pollutes the
graph.
"""

from __future__ import annotations

import csv
import re
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from pathlib import Path

from plankg.ingest.model import ProjectLocation, Span

PARK_SUFFIXES = (
    "高新技术产业园区",
    "高新技术产业开发区",
    "经济技术开发区",
    "经济开发区",
    "产业开发区",
    "工业园区",
    "产业园区",
    "工业集中区",
    "工业区",
    "工业园",
    "产业园",
    "创业园",
    "示范园",
    "开发区",
    "高新区",
    "经开区",
)
# verbs and function words that introduce a name; the name starts after the last of them
_INTRO = (
    "以上|其中|指导|加快推进|加快推动|加快建设|加快打造|全力推进|全力支持|积极推进|大力推进|重点推进|持续推进|"
    "推进|推动|加快|建设|建成|打造|创建|依托|支持|围绕|聚焦|实施|完成|启动|确保|争创|争取|"
    "升级|推荐|引进|落地|做强|做大|提升|提质|扩区|调区|新开工|开工|投产|培育|发展|引导|"
    "鼓励|以|在|将|对|为|于|和|与|及|把|的|等|了|有|由|并|是|向|从|到|至|含"
)
_INTRO_RE = re.compile(f"(?:{_INTRO})")
_PARK_RE = re.compile(
    r"([\u4e00-\u9fff“”A-Za-z0-9]{0,12}?)("
    + "|".join(PARK_SUFFIXES)
    + r")(?![\u4e00-\u9fff]{0,1}管委会)"
)
_ANY_SUFFIX = re.compile("|".join(PARK_SUFFIXES))  # cheap test: most sentences name no park
_SHARED_SUFFIX = re.compile(
    r"([\u4e00-\u9fff]{2,4}(?:、[\u4e00-\u9fff]{2,4})+)(?:两|三|四|五|等)?个?("
    + "|".join(PARK_SUFFIXES)
    + ")"
)
_GENERIC = re.compile(
    r"^(园区|产业|项目|工程|重点|重大|一批|各类|相关|配套|基础设施|现代|国家|省级|市级|特色|农业)"
)
# a park-looking name followed by these is a project (年产25万吨…产业园一期工程)
_PROJECT_AFTER = re.compile(r"^(一期|二期|三期|四期|工程|项目)")
_BARE_PARKS = ("高新区", "经开区")


def _trim_intro(name: str) -> str:
    """Drop everything up to the last introducing verb that still leaves a name behind."""
    for m in reversed(list(_INTRO_RE.finditer(name))):
        if len(name) - m.end() >= 2:
            name = name[m.end() :]
            break
    return name.strip("、，“”的")


def extract_parks(text: str) -> list[str]:
    """Named parks and industrial zones, in order of first mention."""
    found: list[str] = []
    if not _ANY_SUFFIX.search(text):
        return found

    def add(name: str) -> None:
        if (
            name not in found
            and not _GENERIC.match(name)
            and (len(name) > 3 or name in _BARE_PARKS)
        ):
            found.append(name)

    for m in _SHARED_SUFFIX.finditer(text):
        stems = m.group(1).split("、")
        if any(stem.endswith(PARK_SUFFIXES) for stem in stems):
            continue
        for stem in stems:
            add(re.sub(r"[两三四五六七八九十几]个$", "", _trim_intro(stem)) + m.group(2))
    for m in _PARK_RE.finditer(text):
        if _PROJECT_AFTER.match(text, m.end()) or re.search(r"\d", m.group(1)):
            continue
        prefix = _trim_intro(m.group(1))
        if m.group(1) and _INTRO_RE.fullmatch(m.group(1)[-1]):
            prefix = ""
        if len(prefix) >= 2 and not re.search(r"[两三四五等个]$", prefix):
            add(prefix + m.group(2))
        elif not prefix and m.group(2) in _BARE_PARKS:
            add(m.group(2))
    # a shorter variant of a longer name seen here (植物提取物产业园 / 植物提取物特色产业园)
    return [n for n in found if not any(n != o and _is_variant(n, o) for o in found)]


def _is_variant(short: str, long: str) -> bool:
    """`short` is `long` with a word left out (same start, same suffix)."""
    return (
        len(short) < len(long)
        and long.startswith(short[:2])
        and long.endswith(short[-3:])
        and all(ch in long for ch in short)
    )


# ---------------------------------------------------------------- projects
#
# A project is a named undertaking the task itself carries out: the items of an explicit
# project list (`加快推动X、Y、Z等重点产业项目建设`), a name written as `X项目` / `X工程` after a
# verb of pushing work on (`全力推进X项目建设`, `实施X工程`), and the name of a facility after a
# verb of building (`建成X研究院`, `新建X农贸市场`) or of pushing work on followed by a closer
# (`加快X电站建设`, `推动X基地落地`, `争取X铁路列入规划`). Kinds are not projects: names made
# of planning vocabulary only (`省级创新创业基地`), opening with a kind of place (`城市社区养老
# 服务中心`), a count or an indefinite word (`1个…项目`, `新选址的…电站`), programmes of work
# (`经营主体培育工程`), and anything in a clause that encourages, explores or applies for
# (`鼓励企业建设…中心`, `申报…项目`). The word lists are `ontology/project_vocabulary.csv`.

_VOCABULARY = Path(__file__).resolve().parent.parent / "ontology" / "project_vocabulary.csv"
_VERB_KINDS = ("build", "progress", "named", "boundary")
_OPEN, _CLOSE = "（(“‘《〔[【", "）)”’》〕]】"
_CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass(frozen=True)
class ProjectVocabulary:
    """The word lists of `project_vocabulary.csv` by kind (longest first) and the patterns
    built from them."""

    words: dict[str, tuple[str, ...]]
    verbs: re.Pattern[str]
    not_verbs: re.Pattern[str]
    verb_kind: dict[str, str]
    facility_patterns: tuple[re.Pattern[str], ...]
    precheck: re.Pattern[str]  # any word a project name can end with
    worth: tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]  # strong, facility, licence
    endings: tuple[str, ...]  # facility then undertaking words, longest first within each
    followers: re.Pattern[str]  # closers and followers: words after a name
    closers: re.Pattern[str]
    generic_words: re.Pattern[str]  # one or more generic and level words
    blockers: re.Pattern[str]
    programme: re.Pattern[str]
    agency_endings: tuple[str, ...]  # a name ending so is an agency (agency_suffixes.csv)

    def __call__(self, kind: str) -> tuple[str, ...]:
        return self.words.get(kind, ())


@lru_cache(maxsize=1)
def project_vocabulary() -> ProjectVocabulary:
    words: dict[str, list[str]] = {}
    with _VOCABULARY.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            words.setdefault(row["kind"], []).append(row["term"])
    by_kind = {k: tuple(sorted(v, key=len, reverse=True)) for k, v in words.items()}
    verb_kind: dict[str, str] = {}
    for kind in _VERB_KINDS:  # a word listed twice keeps its strongest kind
        for term in by_kind.get(kind, ()):
            verb_kind.setdefault(term, kind)
    k = by_kind.get
    undertaking = set(k("undertaking", ()))
    # verbs that are (the end of) an undertaking word: 改扩建, 扩建
    endings = {w for w in verb_kind if any(u.endswith(w) for u in undertaking)}
    plain, ending = _words(set(verb_kind) - endings), _words(endings)
    # a verb before 工程/项目 is part of the name (改建工程, 建设项目); one that is also an
    # undertaking word ends an item before 、/等/和 or at the end (职业技术学校改扩建、…); a verb
    # may carry the complement 好 (建设好, 做好)
    firsts = re.escape("".join(sorted({w[0] for w in verb_kind})))
    verbs = re.compile(f"(?=[{firsts}])(?:{plain}好?|{ending}(?![、等和及]|$))(?!工程|项目)")
    patterns = tuple(re.compile(p) for p in k("facility_pattern", ()))
    unanchored = [p.pattern.rstrip("$") for p in patterns]
    last_words = {"项目", *k("facility", ()), *undertaking}
    precheck = re.compile("|".join([_words(last_words), *unanchored]))
    # a clause can hold a project only with 项目/工程/an undertaking, or a facility word with a
    # verb of building or a closer after it (the cheap test that spares most clauses)
    worth = (
        re.compile("|".join([_words({"项目", *undertaking}), *unanchored])),
        re.compile(_words(k("facility", ()))),
        re.compile(_words({*k("build", ()), *k("closer", ())})),
    )
    return ProjectVocabulary(
        words=by_kind,
        verbs=verbs,
        not_verbs=re.compile(_words(k("not_verb", ()))),
        verb_kind=verb_kind,
        facility_patterns=patterns,
        precheck=precheck,
        worth=worth,
        endings=(*k("facility", ()), *k("undertaking", ())),
        followers=re.compile(_words({*k("closer", ()), *k("follower", ())})),
        closers=re.compile(_words(k("closer", ()))),
        generic_words=re.compile(f"{_words({*k('generic', ()), *k('level', ())})}+"),
        blockers=re.compile(_words(k("blocker", ()))),
        programme=re.compile(_words(k("programme", ()))),
        agency_endings=_agency_endings(),
    )


def _agency_endings() -> tuple[str, ...]:
    """Strong agency suffixes and enterprise ones (`局`, `管委会`, `公司`): never a project."""
    with (_VOCABULARY.parent / "agency_suffixes.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return tuple(
        r["suffix"] for r in rows if r["strength"] == "strong" or r["kind"] == "state_enterprise"
    )


def _words(words: Iterable[str]) -> str:
    """A group matching any of `words`, longest first, behind a look-ahead on their first
    characters (the regex engine then skips most positions at C speed: ~3x faster)."""
    words = sorted(set(words), key=len, reverse=True)
    if not words:
        return "(?!)"
    firsts = "".join(sorted({w[0] for w in words}))
    return f"(?=[{re.escape(firsts)}])(?:{'|'.join(map(re.escape, words))})"


def _verbs(text: str, start: int = 0, end: int | None = None) -> list[re.Match[str]]:
    """The verb-vocabulary words in text[start:end], except inside words that only hold one
    (`以上`, `作为`)."""
    v = project_vocabulary()
    end = len(text) if end is None else end
    found = list(v.verbs.finditer(text, start, end))
    held = [m.span() for m in v.not_verbs.finditer(text, start, end)] if found else []
    if not held:
        return found
    return [m for m in found if not any(a < m.end() and m.start() < b for a, b in held)]


def _verb_kind(word: str) -> str:
    v = project_vocabulary()
    return v.verb_kind.get(word) or v.verb_kind.get(word[:-1], "boundary")


def _top_level_split(text: str, separators: str) -> list[tuple[int, int]]:
    """Spans of `text` between `separators` that stand outside brackets and quotes."""
    spans, depth, start = [], 0, 0
    marks = _marks(separators)
    for m in marks.finditer(text):  # only the characters that matter, not every character
        ch, i = m.group(0), m.start()
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth = max(0, depth - 1)
        elif depth == 0:
            spans.append((start, i))
            start = i + 1
    spans.append((start, len(text)))
    return spans


@lru_cache(maxsize=16)
def _marks(separators: str) -> re.Pattern[str]:
    return re.compile("[" + re.escape(_OPEN + _CLOSE + separators) + "]")


def _strip_quotes(name: str) -> str:
    """`“湖南省…研究院”` → `湖南省…研究院`: quotes around the whole name are not part of it."""
    if len(name) > 2 and name[0] == "“" and name[-1] == "”" and "“" not in name[1:-1]:
        return name[1:-1]
    return name


@lru_cache(maxsize=8192)
def _facility_suffix(name: str) -> str:
    """The facility or undertaking word `name` ends with, or ""."""
    v = project_vocabulary()
    if name.endswith(v.endings):  # one C-level test first: most text ends with none of them
        for term in v.endings:
            if name.endswith(term) and len(name) > len(term):
                return term
    if any(p.search(name) for p in v.facility_patterns):
        return name[-1]
    return ""


@lru_cache(maxsize=8192)
def _kind_of(name: str) -> str:
    """facility | undertaking | work (X工程) for a name ending in one of those words."""
    v = project_vocabulary()
    suffix = _facility_suffix(name)
    if not suffix:
        return ""
    if suffix == "工程":
        return "work"
    return "undertaking" if suffix in v("undertaking") else "facility"


_COUNT = re.compile(r"[\d零一二两三四五六七八九十百千]+[个座所家项处条宗批大]")


@lru_cache(maxsize=8192)
def _generic(name: str, listed: bool, kind: str = "") -> bool:
    """A kind of thing rather than one named project (see the section comment)."""
    v = project_vocabulary()
    name = _PINYIN.sub("", name)  # 鄉(xiāng)鎮(zhèn): mirror damage, not part of the words
    if len(name) < (2 if listed else 3) or len(name) > 40 or not _CJK.search(name):
        return True
    if name in v("generic_name") or name.startswith(v("indefinite")) or _COUNT.match(name):
        return True
    if "以上" in name or "或" in name or name.endswith(v.agency_endings):
        return True
    if listed:
        return "的" in name or _only_generic_words(name)
    if name.startswith(v("generic_start")) or "等" in name or _COUNT.search(name):
        return True
    if name.endswith(PARK_SUFFIXES) and kind not in ("project", "work", "undertaking"):
        return True  # a park, not a project in it (a park's 项目 or 一期 is one)
    stem = name
    for ending in ("项目", "工程", _facility_suffix(name)):
        if ending and stem.endswith(ending) and len(stem) > len(ending):
            stem = stem[: -len(ending)]
    programme = bool(v.programme.search(name)) or stem.endswith(v("generic_end"))
    if programme and kind in ("project", "work") and _kind_of(name) != "facility":
        return True  # 经营主体培育工程, 产业体系建设项目: programmes and kinds of work
    return _only_generic_words(stem)


_PINYIN = re.compile(r"[(（][a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]+[)）]")


def _only_generic_words(stem: str) -> bool:
    """`省级创新创业`, `城市社区养老服务`: nothing but level and planning words (an empty stem
    too: `中心` alone names nothing)."""
    return not stem or bool(project_vocabulary().generic_words.fullmatch(stem))


@dataclass
class _Item:
    """One list item of a phrase: the name it holds, what kind of name, what follows it."""

    name: str
    kind: str  # project | facility | undertaking | work
    closer: str = ""


def _item_name(item: str) -> _Item | None:
    """The project-like name at the start of a list item, cut before the words that follow it
    (`X项目建设成功` → X, `X铁路列入规划` → X铁路, `X一期在Y村` → X一期)."""
    v = project_vocabulary()
    item = item.strip()
    if "的" in item:  # 线上线下融合的云母材料交易中心; 新选址的抽水蓄能电站
        modifier, item = item.rsplit("的", 1)
        if modifier.endswith(v("indefinite")) or modifier.startswith(v("indefinite")):
            return None
    quoted = _QUOTED_NAME.search(item) if "“" in item else None
    if quoted:  # 确保2所县域高中“徐特立项目”按期完工
        return _Item(quoted.group(1), "project", _closer_at(item, quoted.end()))
    at = _top_level_find(item, "项目")
    if at >= 0:
        end = at + 2
        alias = _ALIAS.match(item, end)
        name = item[: alias.end()] if alias else item[:at]  # X项目（别名） stays whole
        rest = item[alias.end() if alias else end :]
        closer = _closer_at(rest, 0)
        if rest and not closer:
            return None  # 项目履约率, 项目台账: 项目 qualifies another noun
        return _Item(name, "project", closer)
    for m in v.followers.finditer(item):
        head = item[: m.start()]
        if _kind_of(head):
            return _Item(head, _kind_of(head), m.group(0))
    item = _strip_quotes(item)
    return _Item(item, _kind_of(item)) if _kind_of(item) else None


_QUOTED_NAME = re.compile(r"“([^”]+(?:项目|工程))”")
_ALIAS = re.compile(r"[（(][^）)]{1,20}[）)]")
_SHARED_TAIL = re.compile(r"(改扩建|改建|扩建|新建|改造)?(工程)?")
_LIST_END = re.compile(r"等(?:\d+个)?(?P<head>[^、，。；等和的\d]{0,10}?)项目")
_KIND_OF_LIST = re.compile(r"等(?P<head>[^、]*)$")
_BRACKET = re.compile("[" + re.escape(_OPEN + _CLOSE) + "]")


def _top_level_find(text: str, word: str) -> int:
    """Index of the first `word` in `text` outside brackets and quotes, or -1."""
    at = text.find(word)
    if at < 0 or not _BRACKET.search(text, 0, at):
        return at  # the common case: nothing opens before it
    depth = 0
    for i, ch in enumerate(text):
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth = max(0, depth - 1)
        elif depth == 0 and text.startswith(word, i):
            return i
    return -1


def _closer_at(text: str, at: int) -> str:
    """The closer word starting at text[at], unless it only opens a noun (`开工率`)."""
    v = project_vocabulary()
    rest = text[at:]
    if v.not_verbs.match(rest):
        return ""
    m = v.closers.match(rest)
    return m.group(0) if m else ""


def _split_and(item: str) -> list[str]:
    """`致富和首家坪农贸市场` → 致富农贸市场, 首家坪农贸市场; `X变和Y变` → both. The left side is
    a name of its own when it ends like one, shares the right side's ending when it is a bare
    stem of two characters, and is dropped otherwise (`科技小院和育苗基地`: only the right side
    can be a facility)."""
    at = _top_level_find(item, "和")
    if at <= 0:
        return [item]
    left, right = item[:at], item[at + 1 :]
    right_name = _item_name(right)
    left_suffix = "项目" if "项目" in left else _facility_suffix(left)
    if left_suffix:
        return [left, right]
    if right_name is None:
        return [item]
    suffix = _facility_suffix(right_name.name) if right_name else ""
    if suffix and len(left) <= 2:
        return [left + suffix, right]
    return [right]


def _shared_tail(names: list[_Item]) -> None:
    """`S201…公路、S316…公路、S308…公路改扩建工程建设`: the last item's tail belongs to the
    whole list, so each item is the road."""
    if len(names) < 2:
        return
    last = names[-1]
    for other in names[:-1]:
        suffix = _facility_suffix(other.name)
        at = last.name.rfind(suffix) if suffix else -1
        tail = last.name[at + len(suffix) :] if at > 0 else ""
        if tail and _SHARED_TAIL.fullmatch(tail):
            last.name = last.name[: at + len(suffix)]
            last.kind = "facility"
            return


def _explicit_lists(clause: str, found: list[str]) -> list[tuple[int, int]]:
    """`…X、Y、Z等[n个][重点产业]项目…`: every item is a project unless it is a kind, and the
    list is not one of kinds of facility (`等配套项目`). A list of bare places says where one
    project is: `虹桥镇、木金乡、龙门镇等卫生院改扩建项目` is one name."""
    v = project_vocabulary()
    spans = []
    for m in _LIST_END.finditer(clause) if "等" in clause else ():
        if any(c in m.group("head") for c in v("category")):
            spans.append((0, m.end()))
            continue
        first = _top_level_split(clause[: m.start()], "、")
        first_end = first[0][1] if len(first) > 1 else m.start()
        verbs = _verbs(clause, 0, first_end)  # words inside later items are names (尚品包装)
        start = verbs[-1].end() if verbs else 0
        body = clause[start : m.start()]
        items = [body[a:b] for a, b in _top_level_split(body, "、")]
        if len(items) > 1 and all(i.endswith(v("place")) and len(i) <= 6 for i in items):
            names = [clause[start : m.end() - 2]]
        else:
            names = [_strip_quotes(i.rsplit("等", 1)[-1].strip("“”")) for i in items]
            names = [n.removesuffix("项目") for n in names]
        for name in names:
            if not _generic(name, listed=True) and name not in found:
                found.append(name)
        spans.append((start, m.end()))
    return spans


def extract_projects(text: str) -> list[str]:
    """Named projects the text carries out, in order of first mention (see the section
    comment for what counts)."""
    found: list[str] = []
    if not project_vocabulary().precheck.search(text):
        return found
    strong, facility, licence = (
        [m.start() for m in p.finditer(text)] for p in project_vocabulary().worth
    )
    for a, b in _top_level_split(text, "，。；！？：,;:\n"):
        if _any_in(strong, a, b) or (_any_in(facility, a, b) and _any_in(licence, a, b)):
            found += [n for n in _clause_projects(text[a:b]) if n not in found]
    return found


def _any_in(positions: list[int], start: int, end: int) -> bool:
    """Whether a sorted list of positions has one in [start, end)."""
    i = bisect_left(positions, start)
    return i < len(positions) and positions[i] < end


@lru_cache(maxsize=8192)
def _clause_projects(clause: str) -> tuple[str, ...]:
    """The projects of one clause (memoised: `locate_projects` asks again per sentence)."""
    found: list[str] = []
    v = project_vocabulary()
    listed = _explicit_lists(clause, found)
    verbs = [(m.start(), m.end(), _verb_kind(m.group(0))) for m in _verbs(clause)]
    blocker = v.blockers.search(clause)
    bounds = [(0, 0, "start"), *verbs, (len(clause), len(clause), "end")]
    for (_, start, license_), (end, after, _k) in pairwise(bounds):
        if start >= end or not v.precheck.search(clause, start, end):
            continue  # no word a project name ends with
        if blocker is not None and blocker.start() < start:
            continue  # 鼓励企业建设…, 申报…: kinds, not projects
        if any(a < end and start < b for a, b in listed):
            continue
        follower = clause[end:after]
        if clause.startswith(v("programme_tail"), after) and follower in v("closer"):
            continue  # 实施X平台建设行动: the title of a programme
        _phrase_projects(clause[start:end], license_, follower, found)
    return tuple(found)


def _phrase_projects(phrase: str, license_: str, follower: str, found: list[str]) -> None:
    """The projects of one phrase: the list of items after one verb."""
    v = project_vocabulary()
    raw = [phrase[a:b] for a, b in _top_level_split(phrase, "、")]
    kind_of_list = _KIND_OF_LIST.search(raw[-1]) if "等" in raw[-1] else None
    if kind_of_list:  # X、Y等平台(建设): the list names its kind; 等配套设施: kinds only
        if any(c in kind_of_list.group("head") for c in v("category")):
            return
        raw[-1] = raw[-1][: kind_of_list.start()]
    items = [part for item in raw for part in _split_and(item)]
    named = [(item, _item_name(item)) for item in items]
    endings = {_facility_suffix(n.name): n.kind for _, n in named if n and n.kind != "project"}
    names = []
    for item, n in named:  # 110KV首家坪变和木瓜变: a bare item takes its siblings' ending
        ending = next((e for e in endings if e and item.endswith(e) and len(item) > len(e)), "")
        if n is None and ending:
            n = _Item(item, endings[ending])
        if n is not None:
            names.append(n)
    if not names:
        return
    _shared_tail(names)
    if not names[-1].closer and follower in v("closer"):
        names[-1].closer = follower
    closed = follower in v("closer") or any(c in raw[-1] for c in v("closer"))
    planning = set(v("planning"))
    accepted = [n for n in names if _accepts(n, license_, closed, planning)]
    if accepted:  # an accepted item vouches for the facilities listed with it
        accepted = [n for n in names if n in accepted or n.kind != "project"]
    for n in accepted:
        name = _strip_quotes(n.name)
        if not _generic(name, listed=False, kind=n.kind) and name not in found:
            found.append(name)


def _accepts(n: _Item, license_: str, closed: bool, planning: set[str]) -> bool:
    if n.closer in planning:
        return True
    if n.kind == "project":
        return license_ in ("build", "progress", "named")
    if n.kind == "facility":
        return license_ == "build" or (license_ == "progress" and (closed or bool(n.closer)))
    return license_ in ("build", "progress") or (n.kind == "undertaking" and license_ == "named")


_LOCATION_PATTERNS = (
    # 以余梅工业区为载体，…Y
    re.compile(r"以(?P<park>[^，。；]{2,20}?)为(?:载体|平台|依托|主阵地)"),
    # 余梅、安定两个工业区配水站、污水处理厂等配套项目
    re.compile(
        r"(?P<park>[^，。；]{2,20}?(?:工业区|园区|产业园|开发区))(?P<project>[^，。；]{2,40}?)等(?:配套)?项目"
    ),
    # 在X园区建设Y / 落户X园区
    re.compile(
        r"在(?P<park>[^，。；]{2,20}?(?:工业区|园区|产业园|开发区|高新区))(?:建设|新建|布局)(?P<project>[^，。；]{2,30})"
    ),
)


def _stem(park: str) -> str:
    """`余梅工业区` → `余梅`: how a shared-suffix list writes the park."""
    for suffix in PARK_SUFFIXES:
        if park.endswith(suffix) and len(park) > len(suffix):
            return park[: -len(suffix)]
    return park


def locate_projects(text: str) -> list[ProjectLocation]:
    """Projects tied to a park by the sentence they share, with that sentence as evidence: a
    project whose name opens with the park's (`X产业园区固体废弃物综合处理中心`), and the
    shapes of `_LOCATION_PATTERNS`."""
    out: list[ProjectLocation] = []
    seen: set[tuple[str, str]] = set()
    for sentence in re.finditer(r"[^。；]+[。；]?", text):
        s = sentence.group(0)
        parks = extract_parks(s)
        if not parks:
            continue
        projects = extract_projects(s)
        span = Span(sentence.start(), sentence.end())
        for name in projects:
            for park in parks:
                if name.startswith(park) and len(name) > len(park) and (name, park) not in seen:
                    seen.add((name, park))
                    out.append(ProjectLocation(name, park, s, span))
        for pattern in _LOCATION_PATTERNS:
            for m in pattern.finditer(s):
                park_text = m.group("park")
                tied = [p for p in parks if _stem(p) in park_text]
                names = projects
                if "project" in m.groupdict() and m.group("project"):
                    names = [
                        _trim_intro(x) for x in re.split(r"、", m.group("project")) if len(x) >= 2
                    ]
                for park in tied:
                    for name in names:
                        if name and name != park and (name, park) not in seen:
                            seen.add((name, park))
                            out.append(ProjectLocation(name, park, s, span))
    return out
