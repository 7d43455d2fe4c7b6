"""Responsibility clauses: who leads and who assists a task, as the plan writes it.

Plans assign work in a few recurring shapes — a trailing parenthetical
`（县发改局牵头，县财政局等按职责分工负责）`, labelled text `牵头单位：A；配合单位：B`, or the
columns of a task table. This module finds those clauses and splits them into agency mentions with
offsets; it does not decide which body a mention is (that is `agencies.py`). Role words and
labels are data (`ontology/clause_vocabulary.csv`), and matching runs on a traditional→simplified
fold of the text so both scripts read alike. Nothing here raises on odd input: a clause that
cannot be read comes back with `ok=False` and a `problem`, so the caller can report it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from plankg.ontology.names import (
    ONTOLOGY,
    agency_strength,
    fold,
    has_agency_ending,
    is_agency_like,
    is_collective,
    is_person,
    starts_with_verb,
)

OPEN = "（(［[〔【"
CLOSE = "）)］]〕】"
_SEPARATORS = frozenset("、，,；;/／。|｜ \t\u3000\n")
_CONJUNCTIONS = ("以及", "和", "及", "与", "同")
_CONJUNCTION_RE = re.compile("|".join(_CONJUNCTIONS))
_LEADING_WORDS = (
    "由",
    "请",
    "会同",
    "联合",
    "以及",
    "及",
    "和",
    "与",
    "并",
    "另",
    "同时",
    "根据",
    "依据",
    "按照",
    "责成",
    "交由",
)
_TRAILING_WORDS = ("为", "共同", "分别", "具体", "各自", "统筹")
_ETC = re.compile(
    r"等(?:[\u4e00-\u9fff（）()]{0,10}?(?:单位|部门|机构|企业|乡镇|地方))?$"
)  # 等, 等单位, 等相关部门, 等县直有关单位
_EDGE = "、，,；;：:。.“”\"'‘’《》<>*！!？?\u3000 \t"
_TAIL_PUNCT = "。；;.，,、！!？?*\u3000 \t"
_LEVEL_PREFIX = re.compile(r"^[县区市镇乡省州旗]")
_IMPLAUSIBLE = re.compile(r"[0-9０-９。！？!?“”\"]|年|月底|前完成|长期|持续")
_AGENCY_ROLES = ("lead", "assist", "joint", "clause")
_ITEM_NUMBER = re.compile(
    r"^(?:\d{1,2}[.、．]|[（(]\d{1,2}[)）]|[一二三四五六七八九十]{1,3}[、．.]|[（(][一二三四五六七八九十]{1,3}[)）])"
)
_LEVEL_CHARS = frozenset("省市县区州镇乡旗")
_LEVEL_ITEM = re.compile(r"各?[乡镇县区市州旗]")
# `镇人民政府` after `各乡、`: one level and an ending that needs a level before it
_LEVEL_ENDING = re.compile(
    r"[乡镇县区市州旗]{1,2}(?:人民政府|政府|党委|办事处|管委会|直?各?(?:有关|相关)?(?:部门|单位))"
)
_DEADLINE_ITEM = re.compile(
    r"(?:\d{4}年)?(?:\d{1,2}月|[上下]半年|年[底末内]|第[一二三四]季度|\d{1,2}季度)(?:底|末|份|中旬|上旬|下旬)?(?:前|以前)?(?:完成|办结|到位|实现|取得|落实)?|长期坚持|持续推进|长期|持续|常态化"
)


@dataclass
class RawMention:
    """An agency as written: `text` without trailing 等 and white space; offsets into the input."""

    text: str
    start: int
    end: int


@dataclass
class ClauseParse:
    """The agencies a clause names, by role, and whether the role structure was understood."""

    lead: list[RawMention]
    assist: list[RawMention]
    style: str  # lead+assist | lead | joint | responsible+assist | bare | labelled | table | none
    ok: bool
    problem: str | None = None
    convention: str | None = None  # "here" / "carry": the clause declares the first one leads
    deadline: tuple[int, int] | None = None  # a time limit written inside the clause


@dataclass
class LabelledAssignment:
    """One label block (`配合单位：B、C`) and the span [start, end) it covers in the input."""

    label: str
    role: str  # lead | assist | joint
    parse: ClauseParse
    start: int
    end: int


# ---------------------------------------------------------------- vocabulary (data)


@dataclass(frozen=True)
class _Vocab:
    markers: re.Pattern[str]
    marker_role: dict[str, str]
    labels: re.Pattern[str]
    agency_labels: re.Pattern[str]  # labels that introduce agencies (not people or time limits)
    label_role: dict[str, str]
    header_role: dict[str, str]
    inline: re.Pattern[str]
    conventions: tuple[re.Pattern[str], ...]


def _alternation(terms: list[str]) -> str:
    return "|".join(re.escape(t) for t in sorted(set(terms), key=len, reverse=True))


@cache
def _vocab(directory: Path = ONTOLOGY) -> _Vocab:
    import csv

    with (directory / "clause_vocabulary.csv").open(encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if (r.get("term") or "").strip()]
    marker_role = {r["term"]: r["role"] for r in rows if r["kind"] == "marker"}
    label_role = {r["term"]: r["role"] for r in rows if r["kind"] == "label"}
    header_role = {r["term"]: r["role"] for r in rows if r["kind"] in ("label", "header")}
    inline_terms = [
        t
        for t, role in {**marker_role, **label_role}.items()
        if role not in ("person", "stop", "deadline", "clause")
    ]
    return _Vocab(
        # a role word must not be the start of 负责人/负责同志 (a person)
        markers=re.compile(f"(?:{_alternation(list(marker_role))})(?!人|同志)"),
        marker_role=marker_role,
        labels=re.compile(rf"(?P<label>{_alternation(list(label_role))})\s*(?:[：:]|为|[】\]]\s*)"),
        agency_labels=re.compile(
            rf"(?:{_alternation([t for t, r in label_role.items() if r in _AGENCY_ROLES])})"
            r"\s*(?:[：:]|为|[】\]])"
        ),
        label_role=label_role,
        header_role=header_role,
        inline=re.compile(rf"[（(]\s*(?P<term>{_alternation(inline_terms)})\s*[)）]"),
        conventions=tuple(re.compile(r["term"]) for r in rows if r["kind"] == "convention"),
    )


def _role_of(term: str, marker_role: dict[str, str], label_role: dict[str, str]) -> str:
    return marker_role.get(term) or label_role.get(term) or "joint"


# ---------------------------------------------------------------- conventions


@dataclass(frozen=True)
class Convention:
    """`列第一位者为牵头单位` and its wordings, with the bracket around it when it has one."""

    start: int
    end: int
    carries: bool  # `下同`: it holds for the assignments that follow too


def find_conventions(view: str) -> list[Convention]:
    """Every first-listed-leads convention in a (folded) text, widened over `，下同` and over a
    bracket that holds nothing else: `（列第一位者为工作牵头单位或汇总单位，下同）`."""
    out = []
    for pattern in _vocab().conventions:
        for m in pattern.finditer(view):
            start, end = m.start(), m.end()
            rest = re.match(
                r"[，,；;]?\s*其(?:余|他|它)(?:的)?(?:单位|部门)?(?:为|是)(?:配合|协办|责任|参与)(?:单位|部门)?",
                view[end:],
            )
            if rest:
                end += rest.end()  # `，其余为配合单位`
            tail = re.match(r"[，,、；;\s]*下同", view[end:])
            carries = tail is not None
            if tail:
                end += tail.end()
            before = re.search(
                r"[（(\[［〔【](?P<lead>[^（()）\[\]［］〔〕【】]{0,24})$", view[:start]
            )
            if before and any(
                is_agency_like(p) for p in re.split(r"[、，,；;\s]+", before["lead"])
            ):
                before = None  # `（A、B，排名第一的为牵头单位）`: the agencies stay
            after = re.match(r"[\s，,。]*[）)\]］〕】]", view[end:])
            if before and after:
                start, end = before.start(), end + after.end()
            out.append(Convention(start, end, carries))
    out.sort(key=lambda c: c.start)
    return [c for i, c in enumerate(out) if i == 0 or c.start >= out[i - 1].end]


def take_conventions(view: str) -> tuple[str, str | None]:
    """`view` with its conventions blanked out (so their words are never read as names), and
    whether it states one: "carry" (下同), "here", or None."""
    found = find_conventions(view)
    if not found:
        return view, None
    convention = "carry" if any(c.carries for c in found) else "here"
    return _mask(view, [(c.start, c.end) for c in found]), convention


def _mask(view: str, spans: list[tuple[int, int]]) -> str:
    chars = list(view)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


# ---------------------------------------------------------------- brackets


@lru_cache(maxsize=65536)  # read-only callers: the same pieces are paired again and again
def _pairs(text: str) -> dict[int, int]:
    """Matched bracket pairs (either width, mixed allowed) as open → close positions."""
    pairs: dict[int, int] = {}
    stack: list[int] = []
    for i, ch in enumerate(text):
        if ch in OPEN:
            stack.append(i)
        elif ch in CLOSE and stack:
            pairs[stack.pop()] = i
    return pairs


def _depths(text: str) -> list[int]:
    """Nesting depth of each character; unmatched brackets don't count."""
    delta = [0] * (len(text) + 1)
    for o, c in _pairs(text).items():
        delta[o + 1] += 1
        delta[c] -= 1
    depths, d = [], 0
    for i in range(len(text)):
        d += delta[i]
        depths.append(d)
    return depths


# ---------------------------------------------------------------- splitting lists


def _trim(view: str, s: int, e: int) -> tuple[int, int]:
    """Shrink [s, e) of `view` to the agency name: edge punctuation, joiners, trailing 等…"""
    ds, de = _trim_piece(view[s:e])
    return s + ds, s + de


@lru_cache(maxsize=65536)
def _trim_piece(piece: str) -> tuple[int, int]:
    """`_trim` on one piece, as offsets into it: a pure function of the text, and the same
    pieces recur in every clause of a corpus, so it is cached."""
    view, s, e = piece, 0, len(piece)
    for _ in range(6):
        before = (s, e)
        while s < e and view[s] in _EDGE:
            s += 1
        while e > s and view[e - 1] in _EDGE:
            e -= 1
        piece = view[s:e]
        if piece:
            pairs = _pairs(piece)
            matched = set(pairs) | set(pairs.values())
            if piece[0] in OPEN + CLOSE and 0 not in matched:
                s += 1
            elif piece[-1] in OPEN + CLOSE and len(piece) - 1 not in matched:
                e -= 1
        piece = view[s:e]
        if len(piece) <= 40 and starts_with_verb(piece) and not is_agency_like(piece[:4]):
            # `制定并公布市行政审批局…`: words of a sentence before the name that follows them
            cut = next(
                (
                    k
                    for k in range(1, len(piece) - 2)
                    if piece[k] in _LEVEL_CHARS and is_agency_like(piece[k:])
                ),
                None,
            )
            if cut is not None:
                s += cut
                continue
        number = _ITEM_NUMBER.match(piece)
        if number and number.end() < len(piece):
            s += number.end()  # `2.县发改局`: an item number is not part of a name
            continue
        for word in _LEADING_WORDS:
            rest = piece[len(word) :]
            if piece.startswith(word) and rest and is_agency_like(rest):
                if word in ("和", "与") and is_agency_like(piece):
                    continue  # 和平区…, 和县…: a place, not a joiner
                s += len(word)
                break
        piece = view[s:e]
        etc = _ETC.search(piece)
        if etc and etc.start() > 0:
            e = s + etc.start()
        piece = view[s:e]
        for word in _TRAILING_WORDS:
            if piece.endswith(word) and len(piece) > len(word) + 1:
                e -= len(word)
                break
        if (s, e) == before:
            break
    return s, e


def _accept_agency(name: str) -> bool:
    return is_agency_like(name) or is_collective(name)


def _split(
    view: str, original: str, offset: int, accept: Callable[[str], bool] = _accept_agency
) -> list[RawMention]:
    depth = _depths(view)
    pieces: list[tuple[int, int]] = []
    start = 0
    for i, ch in enumerate(view):
        if ch in _SEPARATORS and depth[i] == 0:
            pieces.append((start, i))
            start = i + 1
    pieces.append((start, len(view)))

    pieces = _join_shared_endings(view, pieces)
    out: list[RawMention] = []
    for s, e in pieces:
        for ps, pe in _split_conjunctions(view, depth, s, e, accept):
            ts, te = _trim(view, ps, pe)
            if ts >= te:
                continue
            text = re.sub(r"\s+", "", original[ts:te])
            if text:
                out.append(RawMention(text, offset + ts, offset + te))
    return out


def _join_shared_endings(view: str, pieces: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """`各乡、镇人民政府`, `人民大垸、荒湖管理区`: a piece with no ending of its own before a
    name shares that name's ending, so the two stay one name (a collective written with 、)."""
    out: list[tuple[int, int]] = []
    for s, e in pieces:
        if out and view[out[-1][1] : out[-1][1] + 1] == "、" and out[-1][1] - out[-1][0] <= 8:
            ps, pe = out[-1]
            left = view[slice(*_trim(view, ps, pe))]
            right = view[slice(*_trim(view, s, e))]
            if left and right and _shares_ending(left, right):
                out[-1] = (ps, e)
                continue
        out.append((s, e))
    return out


def _shares_ending(left: str, right: str) -> bool:
    if not is_agency_like(right):
        return False
    if _LEVEL_ITEM.fullmatch(left):
        return bool(_LEVEL_ENDING.fullmatch(right))
    return (
        len(left) <= 6
        and bool(re.fullmatch(r"[\u4e00-\u9fff]+", left))
        and not has_agency_ending(left)
        and not is_collective(left)
        and not is_person(left)
    )


def _split_conjunctions(
    view: str, depth: list[int], s: int, e: int, accept: Callable[[str], bool]
) -> list[tuple[int, int]]:
    """Split on 和/及/与 only where both sides read as agencies (not 科技和工业信息化局)."""
    out: list[tuple[int, int]] = []
    i = s
    while i < e:
        found = _CONJUNCTION_RE.search(view, i)  # the next 和/及/与…, tried in list order
        if found is None or found.start() >= e:
            break
        i, word = found.start(), found.group()
        if depth[i] != 0 or i == s:
            i += 1
            continue
        left = view[slice(*_trim(view, s, i))]
        right = view[slice(*_trim(view, i + len(word), e))]
        if left and right and accept(left) and accept(right):
            out.append((s, i))
            s = i + len(word)
            i = s
        else:
            i += 1
    out.append((s, e))
    return out


def split_agencies(
    text: str, offset: int = 0, accept: Callable[[str], bool] = _accept_agency
) -> list[RawMention]:
    """Split `A、B和C等` into mentions (offsets into `text`, plus `offset`).

    Separators are 、，,；;/ and white space outside nested brackets (`各乡镇（街道、园区）` stays
    whole); 和/及/与 split only when `accept` takes both sides (default: both read as agencies).
    """
    try:
        return _split(fold(text), text, offset, accept)
    except Exception:  # never let an odd list break a whole plan
        return []


# ---------------------------------------------------------------- reading items


@lru_cache(maxsize=65536)
def _item_kind(text: str) -> str:
    """agency | collective | person | unknown (plausible name) | junk."""
    if is_person(text):
        return "person"
    if is_collective(text):
        return "collective"
    if is_agency_like(text):
        return "agency"
    if len(text) <= 20 and not _IMPLAUSIBLE.search(fold(text)):
        return "unknown"
    return "junk"


def _dedupe_key(text: str) -> str:
    f = fold(text)
    return f[1:] if len(f) > 3 and _LEVEL_PREFIX.match(f) else f


def _dedupe(lead: list[RawMention], assist: list[RawMention]) -> tuple[list, list]:
    seen: set[str] = set()
    out_lead, out_assist = [], []
    for m in lead:
        if _dedupe_key(m.text) not in seen:
            seen.add(_dedupe_key(m.text))
            out_lead.append(m)
    for m in assist:
        if _dedupe_key(m.text) not in seen:
            seen.add(_dedupe_key(m.text))
            out_assist.append(m)
    return out_lead, out_assist


# ---------------------------------------------------------------- parenthetical clauses


def parse_clause(inner: str, *, first_is_lead: bool = False) -> ClauseParse:
    """Read a bracketed clause (brackets stripped): `A牵头，B、C等按职责分工负责` and variants.

    Agencies before 牵头 lead; agencies before 负责/按职责分工负责/配合 assist when some agency
    leads; with no 牵头 at all every agency named leads jointly (or only the first, when the
    plan declares `排在第一位的为牵头单位` and `first_is_lead` is set).
    """
    found = _parse_clause_cached(inner, first_is_lead)
    return ClauseParse(
        [RawMention(m.text, m.start, m.end) for m in found.lead],
        [RawMention(m.text, m.start, m.end) for m in found.assist],
        found.style,
        found.ok,
        found.problem,
        found.convention,
        found.deadline,
    )


def forget_clauses() -> None:
    """Empty the clause memo. Called once per plan: memory stays flat over a large corpus, and
    plans that happen to share clause text (a benchmark's recombined corpus) gain nothing.
    (The trim of single list pieces stays cached: it is bounded and shared by all plans.)"""
    _parse_clause_cached.cache_clear()
    _is_clause_content.cache_clear()


@lru_cache(maxsize=16384)
def _parse_clause_cached(inner: str, first_is_lead: bool) -> ClauseParse:
    """Segmentation asks about the same clause several times (is it one? widen it? read it);
    the answer is a pure function of the text, so it is read once. Callers get fresh copies."""
    try:
        return _parse_clause(inner, first_is_lead)
    except Exception as exc:  # pragma: no cover - defensive: never raise on plan text
        return ClauseParse([], [], "none", False, f"internal error reading clause: {exc!r}")


def _parse_clause(inner: str, first_is_lead: bool) -> ClauseParse:
    vocab = _vocab()
    view = fold(inner)
    if vocab.labels.search(view):
        labelled = parse_labelled(inner, first_is_lead=first_is_lead)
        if labelled:
            return merge_labelled(labelled)

    # `（A、B、C，排名第一的为牵头单位）`: the convention stated inside the clause itself
    view, convention = take_conventions(view)
    first_is_lead = first_is_lead or convention is not None
    masked = list(view)
    # inline roles `A（牵头）` attach to the agency just before them
    inline: list[tuple[int, str]] = []
    view = "".join(masked)
    for m in vocab.inline.finditer(view):
        term = m.group("term")
        inline.append((m.start(), _role_of(term, vocab.marker_role, vocab.label_role)))
        masked[m.start() : m.end()] = " " * (m.end() - m.start())
    view = "".join(masked)
    depth = _depths(view)

    chunks: list[tuple[int, int, str | None]] = []
    prev = 0
    for m in vocab.markers.finditer(view):
        if depth[m.start()] != 0:
            continue
        chunks.append((prev, m.start(), vocab.marker_role[m.group(0)]))
        prev = m.end()
    chunks.append((prev, len(view), None))
    has_markers = len(chunks) > 1 or bool(inline)

    by_role: dict[str, list[RawMention]] = {"lead": [], "assist": [], "joint": [], "tail": []}
    problems: list[str] = []
    deadline: tuple[int, int] | None = None
    for s, e, role in chunks:
        items = _split(view[s:e], inner[s:e], s)
        if role == "lead" and not items:
            problems.append("牵头 with no agency before it")
        for item in items:
            kind = _item_kind(item.text)
            if kind == "person":
                continue
            if kind == "junk" and _DEADLINE_ITEM.fullmatch(fold(item.text)):
                deadline = (item.start, item.end)  # `…管委会，6月底完成）`: when, not who
                continue
            if kind == "junk":
                if role is not None or not has_markers:
                    problems.append(f"cannot read {item.text[:30]!r} as an agency")
                continue
            if role is None and has_markers and kind == "unknown":
                continue  # trailing words after the last role word (时限, remarks)
            attached = next((r for p, r in inline if 0 <= p - item.end <= 2), None)
            by_role[attached or role or "tail"].append(item)

    lead, assist, joint, tail = (by_role[k] for k in ("lead", "assist", "joint", "tail"))
    if not has_markers:
        if tail and not all(_item_kind(m.text) in ("agency", "collective") for m in tail):
            problems.append("bracketed text is not a list of agencies")
            tail = []
        lead, assist, _ = _joint(tail, first_is_lead)
        style = "bare"
    elif lead:
        assist = sorted(assist + joint + tail, key=lambda m: m.start)
        style = "lead+assist" if assist else "lead"
    elif joint and assist:
        lead, assist, style = (
            joint,
            sorted(assist + tail, key=lambda m: m.start),
            "responsible+assist",
        )
    elif joint or tail:
        lead, assist, style = _joint(sorted(joint + tail, key=lambda m: m.start), first_is_lead)
    else:
        style = "none"

    lead, assist = _dedupe(lead, assist)
    if problems:
        found = ClauseParse(lead, assist, style, False, "; ".join(problems))
    elif not lead and not assist:
        found = ClauseParse([], [], "none", True, "clause names no agency")
    elif not lead:
        found = ClauseParse(lead, assist, style, True, "no lead agency named")
    else:
        found = ClauseParse(lead, assist, style, True, None)
    found.convention, found.deadline = convention, deadline
    return found


def _joint(items: list[RawMention], first_is_lead: bool) -> tuple[list, list, str]:
    if first_is_lead and len(items) > 1:
        return items[:1], items[1:], "joint"
    return items, [], "joint"


# ---------------------------------------------------------------- finding the clause


def find_responsibility_clause(paragraph: str) -> tuple[int, int] | None:
    """Span (brackets included) of the clause closing a task paragraph, or None.

    The clause is the last bracketed group (maybe followed by `。`); it is taken only when its
    content assigns work — role words, labels, or a bare list of agencies — so `（平江）`,
    `(试行)` or `小（1）型` are never mistaken for one.
    """
    try:
        return _find_clause(paragraph)
    except Exception:  # pragma: no cover - defensive
        return None


def _find_clause(s: str) -> tuple[int, int] | None:
    close_to_open = {c: o for o, c in _pairs(s).items()}
    end = _strip_tail(s, len(s))
    if end and s[end - 1] not in CLOSE:  # a short remark after the clause: （A牵头）年底前完成
        last = max(s.rfind(ch, 0, end) for ch in CLOSE)
        remark = s[last + 1 : end]
        if last < 0 or len(remark) > 25 or not _is_remark(remark) or re.search("[。；;]", remark):
            return None
        end = last + 1
    for _ in range(4):
        end = _strip_tail(s, end)
        if end == 0 or s[end - 1] not in CLOSE:
            return None
        start = close_to_open.get(end - 1)
        if start is None:
            end -= 1  # a stray closing bracket: look at the group before it
            continue
        while close_to_open.get(end - 2) == start + 1:
            start, end = start + 1, end - 1  # `（（A牵头））`: a doubled bracket, read inside
        span = _clause_at(s, start, end)
        if span is not None:
            return span
        if not _is_remark(s[start + 1 : end - 1]):
            return None
        end = start  # `（2024年底前完成）` after the clause: look before it
    return None


def find_all_responsibility_clauses(paragraph: str) -> list[tuple[int, int]]:
    """Every clause of a paragraph that holds several tasks: `…（A牵头）；…（B牵头）。`

    A top-level bracketed group counts when it assigns work and ends a sentence (followed by
    `。`, `；` or the end of the paragraph); the last one is found as in
    `find_responsibility_clause`.
    """
    try:
        s = paragraph
        spans = []
        depth = _depths(s)
        for start, close in sorted(_pairs(s).items()):
            if depth[start] != 0 or not re.match(r"[\s*]*(?:[。；;]|$)", s[close + 1 :]):
                continue
            span = _clause_at(s, start, close + 1)
            if span is not None:
                spans.append(span)
        last = find_responsibility_clause(s)
        if last is not None:
            spans = [sp for sp in spans if sp[1] <= last[0]] + [last]
        return spans
    except Exception:  # pragma: no cover - defensive
        return []


_REMARK = re.compile(r"\d|年|月|底|前|完成|长期|持续|时限|季度|日")


def _is_remark(text: str) -> bool:
    """A time limit or note, not an assignment: `2024年底前完成`, `长期坚持`."""
    view = fold(text)
    return bool(_REMARK.search(view)) and not _is_clause_content(text)


def _strip_tail(s: str, end: int) -> int:
    while end > 0 and s[end - 1] in _TAIL_PUNCT:
        end -= 1
    return end


_NAME_IN_LIST = re.compile(r"(?:^|[、，,；;：:])(?P<name>[^、，,；;：:。（()）]{2,14})$")
_VERB_OPEN = re.compile(
    r"^(?:推进|推动|加快|加强|实施|完成|建设|开展|落实|提升|打造|做好|支持|培育|抓好)"
)


def _is_alias(s: str, start: int, end: int) -> bool:
    """`…，各乡镇人民政府（街道办事处）`: a bracket right after a name in a list, holding one
    other name, is that name's alias — not a clause of its own."""
    before = _NAME_IN_LIST.search(fold(s[:start]))
    if before is None:
        return False
    name = before.group("name")
    inner = fold(s[start + 1 : end - 1])
    return (
        is_agency_like(name)
        and not starts_with_verb(name)
        and is_agency_like(inner)
        and not _vocab().markers.search(inner)
        and len(split_agencies(inner)) == 1
    )


def _clause_at(s: str, start: int, end: int) -> tuple[int, int] | None:
    """The clause span for the bracketed group [start, end), widened over an unclosed `（`."""
    if _is_alias(s, start, end):
        return None
    inner_ok = _is_clause_content(s[start + 1 : end - 1])
    first = parse_clause(s[start + 1 : end - 1])
    if not inner_ok or not first.ok or not first.lead:
        extended = _unclosed_opener(s, start)
        if extended is not None and _is_clause_content(s[extended + 1 : end - 1]):
            parse = parse_clause(s[extended + 1 : end - 1])
            if parse.ok and parse.lead:
                return extended, end
    return (start, end) if inner_ok else None


def _unclosed_opener(s: str, before: int) -> int | None:
    """An opening bracket left unclosed earlier in the same sentence: `（A（牵头、B）`."""
    depth = 0
    for i in range(before - 1, -1, -1):
        ch = s[i]
        if ch in "。\n":
            return None
        if ch in CLOSE:
            depth += 1
        elif ch in OPEN:
            if depth == 0:
                return i
            depth -= 1
    return None


@lru_cache(maxsize=16384)
def _is_clause_content(inner: str) -> bool:
    view = fold(inner)
    if not view.strip() or len(view) > 400:
        return False
    vocab = _vocab()
    if vocab.agency_labels.search(view):
        return True
    if vocab.markers.search(view) or vocab.inline.search(view):
        parse = parse_clause(inner)
        return any(
            _item_kind(m.text) in ("agency", "collective") for m in parse.lead + parse.assist
        )
    items = split_agencies(inner)
    if not items or not all(_item_kind(m.text) in ("agency", "collective") for m in items):
        return False
    strengths = [agency_strength(m.text) for m in items]
    if len(items) == 1:
        return strengths[0] == "strong" and len(items[0].text) >= 3
    return (
        "strong" in strengths
        or any(is_collective(m.text) for m in items)
        or all(_LEVEL_PREFIX.match(fold(m.text)) for m in items)
    )


_AGENCY_WORD = re.compile(
    r"[\u4e00-\u9fff]{1,14}(局|委|办|厅|部|中心|管委会|公司|集团|政府|镇|乡|街道|协会|联合会|单位|部门)"
)


def looks_like_assignment(s: str) -> bool:
    """Text that clearly tries to assign responsibility, parsed or not — to report, not drop.

    True for labels (`牵头单位：`, `责任单位：`) anywhere, and for a bracketed tail (closed or
    not) that holds a role word after an agency-like word (`（县发改局牵头，…`); plain prose
    such as `负责日常协调` is not an assignment.
    """
    view = fold(s)
    vocab = _vocab()
    if vocab.agency_labels.search(view):
        return True
    opener = max(view.rfind(ch) for ch in OPEN)
    if opener < 0:
        return False
    inner = view[opener + 1 :].rstrip(CLOSE + _TAIL_PUNCT)
    if vocab.inline.search(view[max(0, opener - 20) :]):
        return True
    for m in vocab.markers.finditer(inner):
        if _AGENCY_WORD.search(inner[: m.start()]) or vocab.marker_role[m.group(0)] == "lead":
            return bool(inner[: m.start()].strip(_EDGE))
    return False


def assigns_work(inner: str) -> bool:
    """Text that names an agency and gives it a role (a label, or a role word after an
    agency-like word): `县发改局（县粮食局）牵头`, `牵头单位：…` — not `负责日常协调`."""
    view = fold(inner)
    vocab = _vocab()
    if vocab.agency_labels.search(view):
        return True
    return any(_AGENCY_WORD.search(view[: m.start()]) for m in vocab.markers.finditer(view))


@dataclass(frozen=True)
class BracketGroup:
    """Bracketed text of a paragraph that assigns work, and what is odd about its brackets."""

    start: int
    end: int
    problem: str


_SENTENCE_STOP = "。；;\n"
_UNBALANCED_MAX = 80  # an assignment is short: a long sentence after a stray bracket is prose


def assignment_groups(text: str) -> list[BracketGroup]:
    """Every outermost bracketed group of `text` that assigns work, matched or not: a matched
    pair, an opening bracket never closed (up to the end of its sentence), or a closing
    bracket never opened (from the start of its sentence). The segmenter reports those that
    did not become a task's clause, so no assignment disappears without a warning."""
    try:
        return _assignment_groups(text)
    except Exception:  # pragma: no cover - defensive: never raise on plan text
        return []


_BRACKET = re.compile("[" + re.escape(OPEN + CLOSE) + "]")


def _assignment_groups(text: str) -> list[BracketGroup]:
    brackets = [m.start() for m in _BRACKET.finditer(text)]
    if not brackets:
        return []
    pairs = _pairs(text)
    matched = set(pairs) | set(pairs.values())
    found: list[BracketGroup] = []
    for start, close in sorted(pairs.items()):
        inner = text[start + 1 : close]
        if not assigns_work(inner):
            continue
        doubled = pairs.get(start + 1) == close - 1 or any(
            start < o < close and assigns_work(text[o + 1 : c]) for o, c in pairs.items()
        )
        problem = "doubly nested brackets" if doubled else "not the task's closing clause"
        found.append(BracketGroup(start, close + 1, problem))
    for i in brackets:
        ch = text[i]
        if i in matched:
            continue
        if ch in OPEN:
            stop = min((text.find(c, i) for c in _SENTENCE_STOP if c in text[i:]), default=-1)
            end = stop + 1 if stop >= 0 else len(text)
            if end - i <= _UNBALANCED_MAX and assigns_work(text[i + 1 : end]):
                found.append(BracketGroup(i, end, "an opening bracket that is never closed"))
        else:
            begin = max(text.rfind(c, 0, i) for c in _SENTENCE_STOP) + 1
            if i - begin <= _UNBALANCED_MAX and assigns_work(text[begin:i]):
                found.append(BracketGroup(begin, i + 1, "a closing bracket never opened"))
    found.sort(key=lambda g: (g.start, -g.end))
    outer: list[BracketGroup] = []
    for g in found:
        if not outer or g.start >= outer[-1].end:
            outer.append(g)
    return outer


# ---------------------------------------------------------------- labelled styles


def parse_labelled(text: str, *, first_is_lead: bool = False) -> list[LabelledAssignment]:
    """Label blocks in `牵头单位：A；配合单位：B、C` / `责任单位：A、B` / `牵头领导：… 完成时限：…`.

    People (`牵头领导：`) are skipped and time limits (`完成时限：`) end a list. `责任单位` names
    joint leads unless another label names the lead, or the first leads (`first_is_lead`).
    Mention offsets index into `text`.
    """
    try:
        return _parse_labelled(text, first_is_lead)
    except Exception:  # pragma: no cover - defensive
        return []


def _parse_labelled(text: str, first_is_lead: bool) -> list[LabelledAssignment]:
    vocab = _vocab()
    view = fold(text)
    view, convention = take_conventions(view)
    first_is_lead = first_is_lead or convention is not None
    found = list(vocab.labels.finditer(view))
    if not found:
        return []
    roles = [vocab.label_role[m.group("label")] for m in found]
    has_lead = "lead" in roles
    blocks: list[LabelledAssignment] = []
    for i, (m, role) in enumerate(zip(found, roles, strict=True)):
        if role in ("person", "stop"):
            continue
        value_start = m.end()
        value_end = found[i + 1].start() if i + 1 < len(found) else len(view)
        value_end = _value_end(view, value_start, value_end)
        if role == "deadline":
            span = _strip_span(view, value_start, value_end)
            parse = ClauseParse(
                [], [], "labelled", True, deadline=span if span[1] > span[0] else None
            )
            blocks.append(LabelledAssignment(m.group("label"), role, parse, m.start(), span[1]))
            continue
        value = view[value_start:value_end]
        if role == "clause" or _ROLE_MARKER.search(value):
            sub = _parse_clause(text[value_start:value_end].replace("\n", " "), first_is_lead)
            parse = ClauseParse(
                [_shift(x, value_start) for x in sub.lead],
                [_shift(x, value_start) for x in sub.assist],
                "labelled",
                sub.ok,
                sub.problem,
            )
            if role == "assist" or (role != "lead" and has_lead and role != "clause"):
                parse.assist, parse.lead = parse.lead + parse.assist, []
            end = max((x.end for x in parse.lead + parse.assist), default=value_end)
            blocks.append(LabelledAssignment(m.group("label"), role, parse, m.start(), end))
            continue
        items = []
        deadline = None
        for item in _split(value, text[value_start:value_end], value_start):
            kind = _item_kind(item.text)
            if kind == "junk":
                if _DEADLINE_ITEM.search(fold(item.text)):
                    deadline = (item.start, item.end)
                break
            if kind != "person":
                items.append(item)
        end = items[-1].end if items else value_end
        if role == "lead":
            parse = ClauseParse(items, [], "labelled", bool(items))
        elif role == "assist" or has_lead:
            parse = ClauseParse([], items, "labelled", bool(items))
        else:
            lead, assist, _ = _joint(items, first_is_lead)
            parse = ClauseParse(lead, assist, "labelled", bool(items))
        parse.deadline = deadline
        if not items:
            parse.problem = f"{m.group('label')} names no agency"
        blocks.append(LabelledAssignment(m.group("label"), role, parse, m.start(), end))

    # an agency that leads in one block does not also assist in another
    leads = {_dedupe_key(x.text) for b in blocks for x in b.parse.lead}
    for b in blocks:
        b.parse.assist = [x for x in b.parse.assist if _dedupe_key(x.text) not in leads]
    if convention and blocks:
        blocks[0].parse.convention = convention
    return blocks


# role words that make a labelled value a clause of its own: 责任单位：A牵头，B配合
_ROLE_MARKER = re.compile(r"牵头|主办|配合|协办|协助|参与")


def _shift(m: RawMention, by: int) -> RawMention:
    return RawMention(m.text, m.start + by, m.end + by)


def _strip_span(view: str, start: int, end: int) -> tuple[int, int]:
    while start < end and view[start] in _EDGE + "\n":
        start += 1
    while end > start and view[end - 1] in _EDGE + "\n":
        end -= 1
    return start, end


def _value_end(view: str, start: int, end: int) -> int:
    """A label's list ends at the next label, a full stop, a line break or an unmatched `）`."""
    depth = 0
    for i in range(start, end):
        ch = view[i]
        if ch in "。\n":
            return i
        if ch in OPEN:
            depth += 1
        elif ch in CLOSE:
            if depth == 0:
                return i
            depth -= 1
    return end


def merge_labelled(labelled: list[LabelledAssignment]) -> ClauseParse:
    """Several label blocks of one task (牵头单位…；配合单位…) as one assignment."""
    lead = [m for b in labelled for m in b.parse.lead]
    assist = [m for b in labelled for m in b.parse.assist]
    lead, assist = _dedupe(lead, assist)
    problem = None if lead else "no lead agency named"
    conventions = [b.parse.convention for b in labelled if b.parse.convention]
    deadline = next((b.parse.deadline for b in labelled if b.parse.deadline), None)
    return ClauseParse(
        lead,
        assist,
        "labelled",
        bool(lead),
        problem,
        "carry" if "carry" in conventions else (conventions[0] if conventions else None),
        deadline,
    )


# ---------------------------------------------------------------- task tables


def header_role(cell: str) -> str | None:
    """The role of a task-table column from its header: lead/assist/joint/person/… or None."""
    from plankg.ingest.tables import column_kind

    return column_kind(cell)


def parse_table_row(
    cells: list[str],
    header: list[str],
    *,
    line: str | None = None,
    first_is_lead: bool = False,
    kinds: list[str | None] | None = None,
) -> ClauseParse | None:
    """Read the responsibility columns of a task-table row (None: not a task row: the header
    repeated, a spacer or a section row spanning the table).

    Column kinds come from the header cells (`tables.column_kind`) unless given. Offsets
    index into `line` when given (the row as tab-separated cells), else into
    `"\\t".join(cells)`.
    """
    try:
        if [fold(c).strip() for c in cells[: len(header)]] == [fold(h).strip() for h in header]:
            return None
        if sum(1 for c in cells if c.strip()) <= 1:
            return None
        if kinds is None:
            kinds = [header_role(h) for h in header]
        first = {i for i, h in enumerate(header) if find_conventions(fold(h))}
        return _parse_table_row(cells, kinds, line, first_is_lead, first)
    except Exception as exc:  # pragma: no cover - defensive
        return ClauseParse([], [], "table", False, f"internal error reading table row: {exc!r}")


def _parse_table_row(
    cells: list[str],
    kinds: list[str | None],
    line: str | None,
    first_is_lead: bool,
    first_columns: set[int],
) -> ClauseParse | None:
    if not any(k in ("lead", "assist", "joint") for k in kinds):
        return None
    base = line if line is not None else "\t".join(cells)
    positions, cursor = [], 0
    for cell in cells:
        found = base.find(cell, cursor) if cell else -1
        positions.append(found if found >= 0 else cursor)
        cursor = (found + len(cell)) if found >= 0 else cursor
    has_lead = any(k == "lead" and c.strip() for k, c in zip(kinds, cells, strict=False))
    lead: list[RawMention] = []
    assist: list[RawMention] = []
    convention = None
    for col, (kind, cell, pos) in enumerate(zip(kinds, cells, positions, strict=False)):
        if kind not in ("lead", "assist", "joint") or not cell.strip():
            continue
        view, here = take_conventions(fold(cell))
        convention = here or convention
        if _vocab().inline.search(view) or _ROLE_MARKER.search(view):
            # `县发改局（牵头）、县工信局` in a unit column: the roles the cell writes win
            sub = _parse_clause(cell, first_is_lead)
            lead += [_shift(m, pos) for m in sub.lead]
            assist += [_shift(m, pos) for m in sub.assist]
            continue
        items = [
            m
            for m in _split(view, cell, pos)
            if _item_kind(m.text) in ("agency", "collective", "unknown")
        ]
        if kind == "lead":
            lead += items
        elif kind == "assist" or has_lead:
            assist += items
        else:
            column_first = first_is_lead or here is not None or col in first_columns
            first, rest, _ = _joint(items, column_first)
            lead += first
            assist += rest
    lead, assist = _dedupe(lead, assist)
    if not lead and not assist:
        return ClauseParse([], [], "table", False, "no agency in the responsibility columns")
    if not lead:
        return ClauseParse(lead, assist, "table", True, "no lead agency named")
    return ClauseParse(lead, assist, "table", True, None, convention)


__all__ = [
    "BracketGroup",
    "ClauseParse",
    "LabelledAssignment",
    "RawMention",
    "assignment_groups",
    "assigns_work",
    "find_all_responsibility_clauses",
    "find_conventions",
    "find_responsibility_clause",
    "header_role",
    "looks_like_assignment",
    "merge_labelled",
    "parse_clause",
    "parse_labelled",
    "parse_table_row",
    "split_agencies",
]
