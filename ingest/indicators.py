"""Quantitative targets in a task or goals paragraph: subject, value, unit, comparator, year.

Not every number is a target: ordinals (`第三届`), years, dates and deadlines (`2月底前`),
document numbers (`〔2023〕3号`), road codes (`G536`), grades and level thresholds (`5A级`,
`二级以上医疗机构`), capacities inside project names (`年产25万吨…产业园`), numbers in quotes
or book titles (`“15分钟”生活圈`, `《…31条》`), counts that name a policy (`90条措施`), ranges
(`创建1-2家`: no one value is promised), counts in Chinese numerals without a target verb
(`九大工程`) and amounts that qualify a noun (`引进投资100亿元项目1个`: the target is 1 项目,
the 100亿元 names the kind of project) are skipped. Dimensions and capacities of what a task
builds are its own targets (`日供水30万吨的水厂`, `总长约1400米`).

Matching runs on the simplified fold of the text (one character for one), so traditional script
(`30萬噸`) is read like simplified while units and subjects are reported as written. Subjects
go through `ontology.subjects.clean_subject`: no item numbers, separators, hedges or verbs.
"""

from __future__ import annotations

import csv
import re
from functools import lru_cache
from pathlib import Path

from plankg.ingest.model import Indicator, Span
from plankg.ingest.quantities import QUANTITY, Quantity, make_quantity, parse_number
from plankg.ontology.folding import fold
from plankg.ontology.subjects import clean_subject

_SENTENCE = re.compile(r"[^。；;！？\n]+")
_YEAR = re.compile(r"(?<!\d)(20\d{2})年(?![度底初末中])")
_QUOTES = re.compile(r"“[^”]{0,30}”|《[^》]{0,60}》|\"[^\"]{0,30}\"|<[^>]{0,60}>")
# a quantity directly followed by one of these qualifies a noun instead of being a target
_QUALIFIER_AFTER = re.compile(r"^(以上)?(的)?(项目|企业|产业|工程|园区|级|强|大)")
_COUNTERS = {
    "个",
    "家",
    "项",
    "名",
    "座",
    "口",
    "件",
    "所",
    "张",
    "套",
    "辆",
    "宗",
    "期",
    "处",
    "批",
}
_RANK = re.compile(r"前(?P<num>\d{1,3}|[一二三四五六七八九十]{1,3})名?")
_RANGE = re.compile(r"(?P<low>\d+(?:\.\d+)?)[-~～—–至到](?=\d)")
_SKIP_BEFORE = re.compile(r"(第|年产|日产|年处理|日处理|装机|总装机|容量|[A-Za-z#+\-/])$")
_SKIP_AFTER = re.compile(r"^([A-Za-z#+\-/]|年|月|日|届|级|大|强|条$|号|型|线|变|周年|天|小时|分钟)")
_SUBJECT_CUT = re.compile(r"[，,：:（(）)|\t]")
_GROWTH = re.compile(r"(增长|增速)$")
_INVEST = re.compile(r"拟投资[\d.]+[亿万]?元")
_SENTENCE_CUT = re.compile(r"[，。；,;]")
_LIST_PREFIX = re.compile(r"^(.*(?:国家级|省级|市级|县级|区级|新增|新建|新培育|培育))")
_HEAD_NOUN = re.compile(r"[两二三四五六七八九十]+[大个项类](?P<noun>[\u4e00-\u9fff]+)$")


@lru_cache(maxsize=1)
def _policy_count() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """`条`/`项` directly followed by a policy noun (`90条措施`): from quantity_vocabulary.csv."""
    path = Path(__file__).resolve().parent.parent / "ontology" / "quantity_vocabulary.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    nouns = "|".join(r["term"] for r in rows if r["kind"] == "policy_noun")
    units = "".join(r["term"] for r in rows if r["kind"] == "policy_unit")
    return re.compile(f"[{units}]$"), re.compile(f"^(?:{nouns})")


_ANY_NUMBER = re.compile(r"[0-9零〇一二两三四五六七八九十百千]")


def extract_indicators(text: str) -> list[Indicator]:
    """Targets stated in `text`; spans are relative to `text`."""
    masked = _mask_quotes(fold(text))
    out: list[Indicator] = []
    if not _ANY_NUMBER.search(masked):
        return out  # most of a plan's text states no figure at all
    for sentence in _SENTENCE.finditer(masked):
        if not _ANY_NUMBER.search(sentence.group(0)):
            continue
        s0 = sentence.start()
        year_at = [(m.start() + s0, int(m.group(1))) for m in _YEAR.finditer(sentence.group(0))]
        quantities = _targets(masked, s0, sentence.end())
        _propagate_list_comparators(masked, quantities)
        respectively = _respectively_subjects(text, s0, quantities)
        previous = ""
        for n, q in enumerate(quantities):
            year = next((y for pos, y in reversed(year_at) if pos < q.start), None)
            start = max(s0, quantities[n - 1].end if n else s0)
            subject = previous = _shared_lead(previous, _subject(text, start, q))
            subjects = _each_subjects(masked, s0, q, subject)
            if respectively:
                subjects = [respectively.get(n, subject)]
            for subject in subjects:
                written = text[q.end - len(q.unit) : q.end]
                out.append(
                    Indicator(
                        subject=subject,
                        value=q.value,
                        unit=written if fold(written) == q.unit else q.unit,
                        norm_value=q.norm_value,
                        norm_unit=q.norm_unit or _implicit_unit(fold(subject)),
                        comparator=q.comparator,  # type: ignore[arg-type]
                        year=year,
                        span=Span(q.start, q.end),
                    )
                )
    return out


def _shared_lead(previous: str, subject: str) -> str:
    """`引进投资100亿元项目1个，50亿元项目3个`: a subject that opens with an amount naming a
    kind continues a list and takes the words the previous subject had before its amount."""
    here = _leading_amount(subject)
    if not here:
        return subject
    folded = fold(previous)
    m = next((m for m in QUANTITY.finditer(folded) if make_quantity(folded, m)), None)
    return previous[: m.start()] + subject if m and m.start() > 0 else subject


def _leading_amount(subject: str) -> bool:
    m = QUANTITY.match(fold(subject))
    return bool(m and m.group("num")[0].isdigit() and make_quantity(fold(subject), m))


def _mask_quotes(text: str) -> str:
    """Blank out quoted names and titles (same length) so their numbers are not targets."""
    return _QUOTES.sub(lambda m: m.group(0)[0] + "□" * (len(m.group(0)) - 2) + m.group(0)[-1], text)


def _targets(text: str, start: int, end: int) -> list[Quantity]:
    out = []
    for m in QUANTITY.finditer(text, start, end):
        if text[m.start() - 1 : m.start()].isdigit() or text[m.start() - 1 : m.start()] == ".":
            continue
        q = make_quantity(text, m)
        if q is None or not q.unit:
            continue
        if m.group("num")[0] in "零〇一二两三四五六七八九十百千" and not _counted_cn(text, m):
            continue
        before, after = text[max(0, m.start() - 4) : m.start()], text[m.end() : m.end() + 4]
        if _SKIP_BEFORE.search(before) or _SKIP_AFTER.search(after):
            continue
        if _QUALIFIER_AFTER.search(after) and q.unit not in _COUNTERS:
            continue  # 100亿元项目: the amount names a kind of project
        if re.match(r"^[百千万亿十]+[亿万]", after):
            continue  # 3个百亿产业: a count of kinds, not a target
        policy_unit, policy_noun = _policy_count()
        if policy_unit.search(q.unit) and policy_noun.match(after):
            continue  # 90条措施: the name of a policy
        low = _RANGE.search(text, max(0, m.start() - 8), m.start() + 1)
        if low and low.end() == m.start():
            continue  # 创建1-2家: a range promises no one value
        if before.endswith("前") and q.unit in ("名", "位"):
            q.comparator = "<="
        out.append(q)
    out.extend(_ranks(text, start, end))
    out.sort(key=lambda q: q.start)
    return out


def _ranks(text: str, start: int, end: int) -> list[Quantity]:
    """`进入全省前十` → rank 10 名 or better."""
    out = []
    for m in _RANK.finditer(text, start, end):
        if m.group(0).endswith("名") and m.group("num").isdigit():
            continue  # 前13名 is found as an ordinary quantity
        value = parse_number(m.group("num"))
        if value is not None:
            out.append(Quantity(value, "名", value, "名", "<=", m.start(), m.end()))
    return out


def _counted_cn(text: str, m: re.Match[str]) -> bool:
    """A Chinese-numeral count is a target only after a target verb (`新增两个`, `建成三座`)."""
    before = text[max(0, m.start() - 3) : m.start()]
    return bool(m.group("unit")) and bool(
        re.search(r"(新增|建成|新建|培育|引进|创建|完成|达到|前)$", before)
    )


def _propagate_list_comparators(text: str, quantities: list[Quantity]) -> None:
    """`8%和10%以上`, `60亿元、420亿元…以上`: a list shares the comparator of its last item."""
    for a, b in zip(reversed(quantities[:-1]), reversed(quantities[1:]), strict=True):
        gap = text[a.end : b.start]
        if a.comparator == "=" and re.fullmatch(r"[、和及与]|、?以及", gap):
            a.comparator = b.comparator


def _each_subjects(text: str, s0: int, q: Quantity, subject: str) -> list[str]:
    """`新增省级龙头企业、合作社、家庭农场各1家` → one target per listed subject, sharing the
    leading modifier (`新增省级`)."""
    if text[q.start - 1 : q.start] != "各":
        return [subject]
    items = [i for i in subject.split("、") if i]
    if len(items) < 2:
        return [subject]
    prefix = _LIST_PREFIX.match(items[0])
    head = prefix.group(1) if prefix and prefix.group(1) != items[0] else ""
    return [items[0]] + [i if i.startswith(head) else head + i for i in items[1:]]


def _respectively_subjects(text: str, s0: int, quantities: list[Quantity]) -> dict[int, str]:
    """`云母、休闲食品…四大产业产值分别达到60亿元、420亿元…` → each value gets its subject."""
    sentence_end = quantities[-1].end if quantities else s0
    at = text.find("分别", s0, sentence_end)
    if at < 0:
        return {}
    listed = [i for i, q in enumerate(quantities) if q.start > at]
    clause = _SUBJECT_CUT.split(text[s0:at])[-1]
    items = [clean_subject(i) for i in clean_subject(clause).split("、")]
    items = [i for i in items if i]
    if len(items) != len(listed) or len(items) < 2:
        return {}
    noun = _HEAD_NOUN.search(items[-1])
    if noun:
        items[-1] = items[-1][: noun.start()]
        items = [i + noun.group("noun") for i in items]
    return dict(zip(listed, items, strict=True))


def _subject(text: str, s0: int, q: Quantity) -> str:
    """The noun phrase the target is about: the clause before the number (never reaching back
    past the previous target), cleaned (`clean_subject`); when nothing names it there, the
    words after the number do (`完成2座中型水库…` → `中型水库…`)."""
    raw = _SUBJECT_CUT.split(text[s0 : q.start])[-1]
    raw = re.sub(r"^(以上|以内|以下|左右)?[、，和及与]*", "", raw)
    invest = _INVEST.match(fold(raw))  # 拟投资1.2亿元完成2座…: the amount is not the subject
    clause = clean_subject(raw[invest.end() :] if invest else raw)
    growth = bool(_GROWTH.search(fold(clause)))
    if growth:
        clause = clean_subject(clause[:-2])
    clause = clause.strip("、和及与各")
    if growth or (q.norm_unit == "%" and clause.endswith("增加值")):
        clause += "增长率"
    if len(clause) < 2:
        after = re.sub(r"^(以上|以内|左右)?的?", "", text[q.end : q.end + 30])
        phrase = _SUBJECT_CUT.split(_SENTENCE_CUT.split(after)[0])[0]
        word = clean_subject(phrase.split("、")[0])
        word = word if len(word) >= 2 else clean_subject(phrase)
        lead = QUANTITY.match(fold(word))
        if not (lead and make_quantity(fold(word), lead)):  # never a quantity as the subject
            clause = word or clause
        clause = clause or raw.strip()
    return clause


def _implicit_unit(subject: str) -> str:
    """`旅游接待总人次突破1000万`: the unit is in the subject."""
    for unit in ("人次", "人", "户", "亩", "吨"):
        if subject.endswith(unit):
            return unit
    return ""
