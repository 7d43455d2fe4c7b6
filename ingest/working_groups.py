"""Working groups (工作专班, 领导小组) from a plan's 推进机制 / 组织保障 section.

The section says who convenes the group, who deputises, which agencies are members and where
its office sits: `成立X工作专班，由A任召集人，B、C任副召集人，成员单位包括D、E等。专班办公室设在F`
or, for a 领导小组, `由A任组长，B任副组长，成员由D、E主要负责同志组成，办公室设在F`. Conveners
and deputies are posts held by people, kept as written; members and the office are agencies,
resolved like clause mentions.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from plankg.ingest.agencies import AgencyResolver, clean_name, fold, is_person
from plankg.ingest.clauses import RawMention, split_agencies
from plankg.ingest.model import AgencyMention, Span, WorkingGroup

_GROUP = r"(?:工作专班|专班|领导小组|工作小组|指挥部|工作组|推进组|联席会议)"
_NAME = re.compile(rf"(?:成立|组建|建立|设立)(?P<name>[^，。；,;：:]{{1,40}}?{_GROUP})")
_NAME_ANYWHERE = re.compile(rf"(?P<name>[^，。；,;、：:由]{{1,30}}?{_GROUP})")
_LED_BY = re.compile(
    r"^(?:以|由)(?P<who>.+?)(?:为|任|担任)(?:组长|召集人|总指挥|指挥长|主任)的(?P<name>.+)$"
)
_CHIEF = r"(?:第一)?(?:总)?(?:召集人|组长|总指挥|指挥长|主任)"
_DEPUTY = r"(?:副召集人|副组长|副总指挥|副指挥长|副主任)"
_CONVENER = [
    re.compile(rf"(?:^|[，。；,;由])(?P<who>[^，。；,;由]+?)(?:任|担任|为){_CHIEF}"),
    re.compile(
        r"(?<!副)(?:召集人|组长|总指挥|指挥长)(?:由|[：:])(?P<who>[^，。；,;]+?)(?:担任|兼任|$|[，。；,;])"
    ),
]
_DEPUTY_RE = [
    re.compile(rf"(?:^|[，。；,;由])(?P<who>[^，。；,;由]+?)(?:任|担任|为){_DEPUTY}"),
    re.compile(rf"{_DEPUTY}(?:由|[：:])(?P<who>[^，。；,;]+?)(?:担任|兼任|$|[，。；,;])"),
]
_MEMBERS = re.compile(
    r"成员(?:单位)?(?:包括|为|有|是|由)?[：:]?(?P<list>.+?)"
    r"(?=(?:组成)|[。；;]|，(?:专班|领导小组|小组)?办公室|$)"
)
_OFFICE = re.compile(r"办公室设(?:在|于)?(?P<who>[^，。；,;]+)")
_POST = re.compile(r"(?:的)?(?:主要|分管|有关|相关)?(?:负责人|负责同志|领导同志|领导|同志)$")


def parse_working_group(
    text: str,
    resolver: AgencyResolver,
    doc: str,
    to_span: Callable[[int, int], Span],
) -> WorkingGroup | None:
    """The first working group set up in `text` (offsets for `to_span` are into `text`)."""
    groups = parse_working_groups(text, resolver, doc, to_span)
    return groups[0] if groups else None


def parse_working_groups(
    text: str,
    resolver: AgencyResolver,
    doc: str,
    to_span: Callable[[int, int], Span],
) -> list[WorkingGroup]:
    """Every working group set up in `text`, one per paragraph that names one."""
    groups = []
    pos = 0
    for paragraph in text.split("\n"):
        group = _parse_paragraph(paragraph, pos, resolver, doc, to_span)
        if group is not None:
            groups.append(group)
        pos += len(paragraph) + 1
    return groups


def _parse_paragraph(
    text: str,
    base: int,
    resolver: AgencyResolver,
    doc: str,
    to_span: Callable[[int, int], Span],
) -> WorkingGroup | None:
    view = fold(text)
    named = _NAME.search(view) or _NAME_ANYWHERE.search(view)
    members_at = _MEMBERS.search(view)
    if named is None or (members_at is None and not any(r.search(view) for r in _CONVENER)):
        return None
    name = clean_name(text[named.start("name") : named.end("name")])
    convener = None
    led_by = _LED_BY.match(name)
    if led_by:
        convener, name = led_by.group("who"), led_by.group("name")
    convener = convener or _first(view, text, _CONVENER)
    deputies = _deputies(view, text)

    members: list[AgencyMention] = []
    if members_at is not None:
        start = members_at.start("list")
        raw_list = text[start : members_at.end("list")]
        for m in split_agencies(raw_list, start):
            mention = _mention(m, resolver, base, to_span)
            if mention is not None and all(x.agency != mention.agency for x in members):
                members.append(mention)

    office = None
    office_at = _OFFICE.search(view, named.start())
    if office_at is not None:
        start = office_at.start("who")
        for m in split_agencies(text[start : office_at.end("who")], start)[:1]:
            office = _mention(m, resolver, base, to_span)

    last = max((x.end() for x in (office_at, members_at) if x is not None), default=named.end())
    stop = view.find("。", last)
    end = stop + 1 if stop >= 0 else len(text.rstrip())
    return WorkingGroup(
        doc=doc,
        name=name,
        convener=convener,
        deputy_conveners=deputies,
        office_agency=office,
        members=members,
        span=to_span(base + named.start(), base + end),
    )


def _first(view: str, text: str, patterns: list[re.Pattern[str]]) -> str | None:
    for pattern in patterns:
        m = pattern.search(view)
        if m:
            return clean_name(text[m.start("who") : m.end("who")]) or None
    return None


def _deputies(view: str, text: str) -> list[str]:
    for pattern in _DEPUTY_RE:
        m = pattern.search(view)
        if m:
            start = m.start("who")
            people = split_agencies(text[start : m.end("who")], 0, accept=is_person)
            return [p.text for p in people]
    return []


def _mention(
    m: RawMention,
    resolver: AgencyResolver,
    base: int,
    to_span: Callable[[int, int], Span],
) -> AgencyMention | None:
    """A member or office agency; `县发改局主要负责人` names the agency behind the post."""
    raw, end = m.text, m.end
    post = _POST.search(raw)
    if post is not None and post.start() > 0:
        raw = clean_name(re.sub(r"等(?:单位|部门)?$", "", raw[: post.start()]))
        end = m.start + len(raw)
    if not raw or is_person(raw):
        return None
    return AgencyMention(raw, resolver.resolve(raw), to_span(base + m.start, base + end))


__all__ = ["parse_working_group", "parse_working_groups"]
