"""Numbers with units in plan prose: `3.29万亩`, `390亿以上`, `8%`, `两个`, `前十`.

Magnitudes fold into the value (3.29万亩 → 32900 亩; a bare 亿 amount is money, 元), and the
comparator comes from the words around the number (以上/突破 → `>=`, 以内 → `<=`, 左右 → `~`).
Traditional script reads like simplified (`30萬噸` is 300000 吨, `28.23億元` is 2823000000 元):
matching runs on the one-for-one simplified fold, so spans still point at the text as written.
The word lists are data at the top of this module.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from plankg.ontology.folding import fold

# unit as written → (normalised unit, factor). Longest first when matching.
UNITS: dict[str, tuple[str, float]] = {
    "万美元": ("美元", 1e4),
    "亿美元": ("美元", 1e8),
    "美元": ("美元", 1),
    "亿元": ("元", 1e8),
    "万元": ("元", 1e4),
    "元": ("元", 1),
    "万亩": ("亩", 1e4),
    "亩": ("亩", 1),
    "公顷": ("公顷", 1),
    "万吨": ("吨", 1e4),
    "吨": ("吨", 1),
    "万方": ("方", 1e4),
    "立方米": ("立方米", 1),
    "方": ("方", 1),
    "平方公里": ("平方公里", 1),
    "万平方米": ("平方米", 1e4),
    "平方米": ("平方米", 1),
    "公里": ("公里", 1),
    "千米": ("公里", 1),
    "万米": ("米", 1e4),
    "米": ("米", 1),
    "万千瓦": ("千瓦", 1e4),
    "千瓦": ("千瓦", 1),
    "兆瓦": ("兆瓦", 1),
    "万人次": ("人次", 1e4),
    "人次": ("人次", 1),
    "万人": ("人", 1e4),
    "人": ("人", 1),
    "万户": ("户", 1e4),
    "户": ("户", 1),
    "万头": ("头", 1e4),
    "头": ("头", 1),
    "万只": ("只", 1e4),
    "只": ("只", 1),
    "个百分点": ("百分点", 1),
    "百分点": ("百分点", 1),
    "%": ("%", 1),
    "％": ("%", 1),
    "家": ("家", 1),
    "个": ("个", 1),
    "项": ("项", 1),
    "名": ("名", 1),
    "座": ("座", 1),
    "口": ("口", 1),
    "件": ("件", 1),
    "所": ("所", 1),
    "张": ("张", 1),
    "套": ("套", 1),
    "辆": ("辆", 1),
    "宗": ("宗", 1),
    "期": ("期", 1),
    "处": ("处", 1),
    "批": ("批", 1),
    "台": ("台", 1),
    "栋": ("栋", 1),
    "床": ("床", 1),
    "场": ("场", 1),
    "次": ("次", 1),
    "条": ("条", 1),
    "倍": ("倍", 1),
    "支": ("支", 1),
    "部": ("部", 1),
    "篇": ("篇", 1),
}
MAGNITUDES = {"万亿": 1e12, "亿": 1e8, "千万": 1e7, "百万": 1e6, "万": 1e4, "千": 1e3}
AT_LEAST_AFTER = ("以上", "多", "余")
AT_MOST_AFTER = ("以内", "以下", "之内")
ABOUT_AFTER = ("左右",)
# words before the number; matched longest first so 不少于 is not read as 少于
BEFORE_WORDS = {
    "超过": ">=",
    "不少于": ">=",
    "不低于": ">=",
    "突破": ">=",
    "至少": ">=",
    "高于": ">=",
    "逾": ">=",
    "超": ">=",
    "不超过": "<=",
    "不高于": "<=",
    "低于": "<=",
    "控制在": "<=",
    "少于": "<=",
    "前": "<=",
    "约": "~",
    "大约": "~",
}

_CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
_CN_NUM = "零〇一二两三四五六七八九十百千"

_UNIT_ALT = "|".join(re.escape(u) for u in sorted(UNITS, key=len, reverse=True))
_MAG_ALT = "|".join(sorted(MAGNITUDES, key=len, reverse=True))
QUANTITY = re.compile(
    rf"(?P<num>\d+(?:,\d{{3}})*(?:\.\d+)?|[{_CN_NUM}]+)"
    rf"(?P<mag>{_MAG_ALT})?(?P<unit>{_UNIT_ALT})?"
)


@dataclass
class Quantity:
    value: float  # as written, magnitude not folded (3.29 in 3.29万亩)
    unit: str  # as written (万亩, 亿, %)
    norm_value: float
    norm_unit: str
    comparator: str
    start: int
    end: int


def parse_number(s: str) -> float | None:
    """Arabic (`1,200.5`) or Chinese (`两`, `十二`, `一百二十`) numerals; None if neither."""
    s = s.strip().replace(",", "")
    if not s:
        return None
    try:
        return float(s)
    except ValueError:
        pass
    if any(ch not in _CN_DIGITS and ch not in _CN_UNITS for ch in s):
        return None
    total, digit = 0, None
    for ch in s:
        if ch in _CN_DIGITS:
            digit = _CN_DIGITS[ch]
        else:
            total += (digit if digit is not None else 1) * _CN_UNITS[ch]
            digit = None
    return float(total + (digit or 0))


def comparator_around(text: str, start: int, end: int) -> str:
    """The comparator the words just before `start` and just after `end` express."""
    after = text[end : end + 3]
    before = text[max(0, start - 4) : start]
    if after.startswith(AT_LEAST_AFTER):
        return ">="
    if after.startswith(AT_MOST_AFTER):
        return "<="
    if after.startswith(ABOUT_AFTER):
        return "~"
    for word in sorted(BEFORE_WORDS, key=len, reverse=True):
        if before.endswith(word):
            return BEFORE_WORDS[word]
    return "="


def make_quantity(text: str, m: re.Match[str]) -> Quantity | None:
    """The quantity `m` (a `QUANTITY` match in simplified-fold text) states, or None when it has
    neither magnitude nor unit."""
    value = parse_number(m.group("num"))
    if value is None:
        return None
    mag, unit = m.group("mag") or "", m.group("unit") or ""
    if not mag and not unit:
        return None
    factor = MAGNITUDES.get(mag, 1.0)
    if unit:
        norm_unit, unit_factor = UNITS[unit]
        factor *= unit_factor
    else:
        norm_unit = "元" if mag.endswith("亿") else ""
    written_unit = mag + unit
    norm = round(value * factor, 6)
    if norm.is_integer():
        norm = float(int(norm))
    return Quantity(
        value,
        written_unit,
        norm,
        norm_unit,
        comparator_around(text, m.start(), m.end()),
        m.start(),
        m.end(),
    )


def find_quantities(text: str) -> list[Quantity]:
    """Every number-with-unit in `text`, in order (no judgement about whether it is a target)."""
    out = []
    text = fold(text)
    for m in QUANTITY.finditer(text):
        q = make_quantity(text, m)
        if q is not None:
            out.append(q)
    return out
