"""Named parks and projects in task text, and which park a project is located in.

Names in Chinese prose have no delimiters, so a name is the run of characters before a park
suffix (`工业区`, `产业园`…) or inside a project list (`加快推动X、Y、Z等项目建设`), trimmed of
the verbs that introduce it. Precision beats recall: a wrong project pollutes the graph.
"""

from __future__ import annotations

import re

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
_PROJECT_LIST = re.compile(
    r"(?:加快推动|加快推进|推进|推动|加快|确保|建成|新开工|开工|实施|重点推动|重点推进|全力推进)"
    r"([^，。；：]{2,80}?)等(?:重点)?(?:产业|文旅|交通|基础设施)?项目"
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


def extract_projects(text: str) -> list[str]:
    """Named projects listed as `…X、Y、Z等项目…`, in order of first mention."""
    found: list[str] = []
    for m in _PROJECT_LIST.finditer(text):
        for item in re.split(r"[、]", m.group(1)):
            name = _trim_intro(item)
            name = re.sub(r"(项目)?(建设)?$", "", name)
            if 2 <= len(name) <= 40 and not _GENERIC.match(name) and name not in found:
                found.append(name)
    return found


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
    """Projects tied to a park by the sentence they share, with that sentence as evidence."""
    out: list[ProjectLocation] = []
    seen: set[tuple[str, str]] = set()
    for sentence in re.finditer(r"[^。；]+[。；]?", text):
        s = sentence.group(0)
        parks = extract_parks(s)
        if not parks:
            continue
        projects = extract_projects(s)
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
                            span = Span(sentence.start(), sentence.end())
                            out.append(ProjectLocation(name, park, s, span))
    return out
