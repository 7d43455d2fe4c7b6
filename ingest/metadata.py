"""Plan title and jurisdiction, detected from the text.

A plan rarely states its jurisdiction in one place: the title may carry it (`平江县…实施方案`),
the body says `我县`/`全区`, and the clauses prefix every agency with the level (`县发改局`,
`区科技工信局`). We first decide the administrative level from that evidence, then pick the
place name of that level the text repeats most.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

LEVELS = "县区市州旗盟镇乡"
_TITLE_SUFFIX = re.compile(r"(方案|计划|意见|办法|规划|措施|要点|通知|细则|清单|纲要)$")
_HAN = r"\u4e00-\u9fff"
# The word before the level character that makes a generic noun, not a place (示范区, 园区…).
_GENERIC_BEFORE_LEVEL = (
    "示范 先行 聚集 集聚 开发 高新 产业 试验 实验 保护 功能 风景 旅游 度假 核心 经济 生态 发展 "
    "合作 承接 集中 重点 贫困 民族 自治 城乡 省会 中心 都市 老城 主城 新城 片区 服务 特色 工业 "
    "农业 商业 综合 保税 自贸 创新 改革 文化 景 园 城 社 辖 片 边 新 老 主 市 县 郊 库 矿 "
    "垦 林 牧 灾 疫 试 乡 镇 村 试点 强 名 先进 标杆 样板 整 每 小"
).split()
# words that run into a place name in prose (推进嘉庆县, 加快邵康县): never a name's start
_VERB_PREFIXES = tuple(
    "推进 加快 推动 包括 完成 锚定 支持 建设 打造 创建 全面 积极 持续 深入 围绕 聚焦 实现 "
    "确保 力争 争取 成为 建成 单位 以及 进入 位于 立足 助力 带动 服务 落实 提升 促进".split()
)
# characters that end the words running into a place name (推进, 加快, 包括, 打造, 具有 …)
_PROSE_TAIL = set(
    "进快括成持动造设有于在对把将为和与及的是到至从向让使给以由按经等入定绕焦现保取足力务实升位"
)
_NOT_FIRST = set("我全本各该在和与及的省市县区是为对向到将把从等其此每两多个")


@dataclass(frozen=True)
class PlanMetadata:
    title: str
    jurisdiction: str
    title_detected: bool
    jurisdiction_detected: bool


def detect_title(lines: list[str]) -> str:
    """The first short line near the top that reads like a plan title."""
    for line in lines[:12]:
        if len(line) <= 60 and "。" not in line and _TITLE_SUFFIX.search(line):
            return line
    return ""


def detect_level(text: str) -> str | None:
    """The administrative level the plan speaks for: `我县`/`全区` and level-prefixed agencies."""
    counts: Counter[str] = Counter()
    for level in LEVELS:
        counts[level] += 3 * len(re.findall(f"[我全本]{level}", text))
        counts[level] += len(
            re.findall(f"(?<![{_HAN}]{{2}}){level}(?:委|政府|[{_HAN}]{{1,8}}?[局委办])", text)
        )
    level, n = counts.most_common(1)[0] if counts else ("", 0)
    return level if n > 0 else None


def detect_jurisdiction(text: str, title: str = "") -> str | None:
    """The most repeated place name of the plan's level (ties go to the longer name)."""
    level = detect_level(title + "\n" + text)
    if level is None:
        return None
    counts: Counter[str] = Counter()
    # a level character followed by a bureau is the agency prefix (包括县发改局), not a place
    pattern = f"{level}(?![域级场民间长])(?![{_HAN}]{{1,6}}?局)"
    for m in re.finditer(pattern, text):
        end = m.end()
        for size in (2, 3, 4):
            start = m.start() - size
            if start < 0:
                break
            name = text[start:end]
            stem = name[:-1]
            if not re.fullmatch(f"[{_HAN}]+", name) or _NOT_FIRST.intersection(stem):
                continue
            if any(v in stem for v in _VERB_PREFIXES):
                continue
            if any(stem.endswith(g) for g in _GENERIC_BEFORE_LEVEL):
                continue
            counts[name] += 1
    for name in list(counts):
        if name in title:
            counts[name] += 3
    if not counts:
        return None

    # prefer the most frequent; among equal counts the longest (大通湖区 over 通湖区) unless the
    # extra leading character is the tail of the prose before the name (推进|嘉庆县)
    def rank(kv: tuple[str, int]) -> tuple[int, int]:
        name, n = kv
        return (n, len(name) if name[0] not in _PROSE_TAIL else 0)

    best = max(counts.items(), key=rank)
    # one mention is enough when nothing else competes (the name is not a substring artefact)
    rivals = [n for n in counts if n != best[0] and n not in best[0]]
    return best[0] if best[1] >= 2 or not rivals else None


def read_sidecar(path: Path) -> dict[str, str]:
    """Metadata a user wrote next to the plan: `<file>.meta.toml` with `title`/`jurisdiction`."""
    import tomllib

    sidecar = path.with_name(path.name + ".meta.toml")
    if not sidecar.exists():
        return {}
    with sidecar.open("rb") as fh:
        data = tomllib.load(fh)
    return {k: str(v) for k, v in data.items() if k in ("title", "jurisdiction")}
