"""Quantitative targets in a task or goals paragraph: subject, value, unit, comparator, year.

Not every number is a target: ordinals (`第三届`), years, road codes (`G536`), grades (`5A级`),
capacities inside project names (`年产25万吨…产业园`), numbers in quotes or book titles
(`“15分钟”生活圈`, `《…31条》`) and amounts that qualify a noun (`引进投资100亿元项目1个`: the
target is 1 项目, the 100亿元 names the kind of project) are skipped.
"""

from __future__ import annotations

import re

from plankg.ingest.model import Indicator, Span
from plankg.ingest.quantities import QUANTITY, Quantity, make_quantity, parse_number

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
_RANGE = re.compile(r"(?P<low>\d+(?:\.\d+)?)[-~～—至到](?=\d)")
_SKIP_BEFORE = re.compile(r"(第|年产|日产|年处理|日处理|装机|总装机|容量|[A-Za-z#+\-/])$")
_SKIP_AFTER = re.compile(r"^([A-Za-z#+\-/]|年|月|日|届|级|大|强|条$|号|型|线|变|周年|天|小时|分钟)")
_SUBJECT_CUT = re.compile(r"[，,：:（(）)]")
_LEAD_WORDS = re.compile(
    r"^(力争|确保|争取|全年|年内|全县|全区|全市|其中|计划|实现|完成|累计|并|同时|今年|"
    r"到\d{4}年|\d{4}年|，|、)+"
)
_TAIL_WORDS = re.compile(
    r"(分别|达到|达|为|突破|超过|超|稳定在|控制在|不少于|不低于|至|在|到|提高|提升|增加|下降|各)+$"
)
_LIST_PREFIX = re.compile(r"^(.*(?:国家级|省级|市级|县级|区级|新增|新建|新培育|培育))")
_HEAD_NOUN = re.compile(r"[两二三四五六七八九十]+[大个项类](?P<noun>[\u4e00-\u9fff]+)$")


def extract_indicators(text: str) -> list[Indicator]:
    """Targets stated in `text`; spans are relative to `text`."""
    masked = _mask_quotes(text)
    out: list[Indicator] = []
    for sentence in _SENTENCE.finditer(masked):
        s0 = sentence.start()
        year_at = [(m.start() + s0, int(m.group(1))) for m in _YEAR.finditer(sentence.group(0))]
        quantities = _targets(masked, s0, sentence.end())
        _propagate_list_comparators(masked, quantities)
        respectively = _respectively_subjects(text, s0, quantities)
        for n, q in enumerate(quantities):
            year = next((y for pos, y in reversed(year_at) if pos < q.start), None)
            start = max(s0, quantities[n - 1].end if n else s0)
            subject = _subject(text, start, q)
            subjects = _each_subjects(masked, s0, q, subject)
            if respectively:
                subjects = [respectively.get(n, subject)]
            for subject in subjects:
                out.append(
                    Indicator(
                        subject=subject,
                        value=q.value,
                        unit=q.unit,
                        norm_value=q.norm_value,
                        norm_unit=q.norm_unit or _implicit_unit(subject),
                        comparator=q.comparator,  # type: ignore[arg-type]
                        year=year,
                        span=Span(q.start, q.end),
                    )
                )
    return out


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
        low = _RANGE.search(text, max(0, m.start() - 8), m.start())
        if low and low.end() == m.start():
            continue  # the upper bound of a range; the range is handled below
        if before.endswith("前") and q.unit in ("名", "位"):
            q.comparator = "<="
        out.append(q)
    out.extend(_ranks(text, start, end))
    out.extend(_ranges(text, start, end))
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


def _ranges(text: str, start: int, end: int) -> list[Quantity]:
    """`培育2-3家` → at least the lower bound."""
    out = []
    for m in _RANGE.finditer(text, start, end):
        q_match = QUANTITY.match(text, m.end())
        if q_match is None:
            continue
        upper = make_quantity(text, q_match)
        low = parse_number(m.group("low"))
        if upper is None or low is None or not upper.unit:
            continue
        factor = upper.norm_value / upper.value if upper.value else 1
        out.append(
            Quantity(low, upper.unit, low * factor, upper.norm_unit, ">=", m.start(), upper.end)
        )
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
    items = [i for i in _LEAD_WORDS.sub("", clause).split("、") if i]
    if len(items) != len(listed) or len(items) < 2:
        return {}
    noun = _HEAD_NOUN.search(items[-1])
    if noun:
        items[-1] = items[-1][: noun.start()]
        items = [i + noun.group("noun") for i in items]
    return dict(zip(listed, items, strict=True))


def _subject(text: str, s0: int, q: Quantity) -> str:
    """The noun phrase the target is about: the clause before the number (never reaching back
    past the previous target), verbs trimmed; when nothing names it there, the words after the
    number do (`完成2座中型水库…` → `中型水库…`)."""
    clause = _SUBJECT_CUT.split(text[s0 : q.start])[-1]
    clause = re.sub(r"^(以上|以内|以下|左右)?[、，和及与]*", "", clause)
    clause = _VERB_ONLY.sub("", _LEAD_WORDS.sub("", clause))
    growth = clause.endswith(("增长", "增速"))
    clause = _TAIL_WORDS.sub("", re.sub(r"(增长|增速)$", "", clause))
    clause = clause.strip("、和及与各")
    if growth or (q.norm_unit == "%" and clause.endswith("增加值")):
        clause += "增长率"
    if len(clause) < 2:
        after = re.split(r"[，。；、,;]", text[q.end : q.end + 30])[0]
        clause = re.sub(r"^(以上|以内|左右)?的?", "", after) or clause
    return clause


_VERB_ONLY = re.compile(
    r"^(拟投资[\d.]+[亿万]?元)?(完成|建成|建设|新建|加快|推进|实现|投资|拟投资|帮助|引导)+"
)


def _implicit_unit(subject: str) -> str:
    """`旅游接待总人次突破1000万`: the unit is in the subject."""
    for unit in ("人次", "人", "户", "亩", "吨"):
        if subject.endswith(unit):
            return unit
    return ""
