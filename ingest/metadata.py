"""Plan title and jurisdiction, detected from the text.

A plan rarely states its jurisdiction in one place: the title may carry it (`平江县…实施方案`),
the body says `我县`/`全区`, and the clauses prefix every agency with the level (`县发改局`,
`区科技工信局`). We first decide the administrative level from that evidence, then pick the
place name of that level the text repeats most.
"""

from __future__ import annotations

import re
from pathlib import Path

_TITLE_SUFFIX = re.compile(
    r"(方案|计划|意见|办法|规划|措施|要点|通知|细则|清单|纲要|分解|分解表|分工|分工表|任务|"
    r"报告|汇总表|情况|台账|决定|规定|实事|安排|举措)$"
)
# not a title: breadcrumbs, attachment lists, news bylines, numbered items and headings
_NOT_TITLE = re.compile(
    r">|＞|您当前的位置|首页|^附件|^[一二三四五六七八九十]+[、．.]|^[（(][一二三四五六七八九十\d]+[)）]"
    r"|^\d{1,3}[.、．](?!\d)(?!.*\.(?:docx?|pdf|txt|html?|wps)$)"
)
_PREFIX = re.compile(r"^(?:原标题|标题|题目)[:：]|^\d{1,3}[.、．](?!\d)")
_FILE_EXTENSION = re.compile(r"\.(?:docx?|pdf|txt|html?|wps)$", re.I)
_PAGE_TAG = re.compile(r"^【[^】]{1,12}】")  # 【政策】…的通知: a page's category tag
_DOC_NUMBER_TAIL = re.compile(r"[（(]?[\u4e00-\u9fff]{1,8}〔\d{4}〕\d+号[)）]?$")
_BROKEN = re.compile(
    r"[，,。；;：:！？!?]|^[\d\s年月日:：\-/.]+$|〔\d{4}〕|>|＞|^[（(【].*[)）】]$"
)


def _title_line(line: str) -> str:
    """A line as a title candidate: without a page tag, book-title marks or a trailing
    document number."""
    line = _DOC_NUMBER_TAIL.sub("", _PAGE_TAG.sub("", line.strip())).strip()
    number = re.search(r"〔\d{4}〕\d+号", line)
    if number:  # `…的通知豫政〔2023〕5号现将…`: the title before the document number
        for k in range(number.start(), max(0, number.start() - 9), -1):
            if _TITLE_SUFFIX.search(line[:k]):
                line = line[:k]
                break
    line = _FILE_EXTENSION.sub("", _PREFIX.sub("", line)).strip()
    if line.startswith("《") and line.endswith("》"):
        line = line[1:-1]
    return line


def looks_like_title(line: str) -> bool:
    """A short line that ends like a plan title: it never continues the line before it."""
    line = line.strip()
    return (
        len(line) <= 80
        and not re.search(r"[，,。；;]", line)
        and bool(_TITLE_SUFFIX.search(_title_line(line)))
        and not _NOT_TITLE.search(line)
    )


def detect_title(lines: list[str]) -> str:
    """The plan's title near the top: a short line that ends like a title (…实施方案, …的通知),
    with the short lines before it when the title is broken over several lines
    (`县人民政府办公室关于` / `对县…重点工作` / `…责任分解的通知`)."""
    head = lines[:15]
    for i, raw in enumerate(head):
        if _NOT_TITLE.search(raw.strip()):
            continue
        line = _title_line(raw)
        if not line or len(line) > 80 or "。" in line or not _TITLE_SUFFIX.search(line):
            continue
        parts = [line]
        j = i - 1
        while j >= 0 and len(parts) < 4:
            before = head[j].strip()
            if not before or len(before) > 40 or _BROKEN.search(before):
                break
            if _TITLE_SUFFIX.search(_title_line(before)):
                break
            parts.insert(0, before)
            j -= 1
        return "".join(parts)
    return ""


def read_sidecar(path: Path) -> dict[str, str]:
    """Metadata a user wrote next to the plan: `<file>.meta.toml` with `title`,
    `jurisdiction` and `url` (the web address the file was saved from)."""
    import tomllib

    from plankg.ingest.model import PlanReadError

    sidecar = path.with_name(path.name + ".meta.toml")
    try:
        if not sidecar.exists():
            return {}
        with sidecar.open("rb") as fh:
            data = tomllib.load(fh)
    except OSError as exc:  # a name too long for the sidecar, a folder by that name…
        raise PlanReadError(f"{sidecar}: cannot read the sidecar ({exc.strerror or exc})") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise PlanReadError(f"{sidecar}: not a valid TOML sidecar ({exc})") from exc
    return {k: str(v) for k, v in data.items() if k in ("title", "jurisdiction", "url")}
