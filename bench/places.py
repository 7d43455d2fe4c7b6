"""Syllables for invented county / district names (`盛仪县`, `怀祁区`).

A stem is one character from `FIRST` and one from `SECOND` (three characters — FIRST, FIRST,
SECOND — only once the two-character stems run out). The lists hold characters common in real
Chinese place names, minus a few the corpus or the extractor gives another meaning:

- the sample places themselves (平, 大, 通, 湖), so renaming can never re-create 平江 or 大通湖;
- administrative and agency characters (县, 区, 市, 省, 州, 镇, 乡, 村, 局, 委, 办);
- characters the jurisdiction detector reads as "not the first character of a place"
  (我, 全, 本, 各, 和, 与, …) or, at the end of a stem, as a generic noun before 区/县
  (新, 城, 园, 林, 景, …: 高新区, 新城区 are not places).

`corpus.py` additionally drops every stem that already occurs in the sample texts or gold
(安定, 长沙, 文明…), so a stem in a generated plan is always the renamed jurisdiction, and every
stem of a real county, district or city (`real_place_stems.txt`: 怀安, 桂阳, 永顺…), so no
synthetic plan is put in the mouth of a real place.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

REAL_STEMS_FILE = Path(__file__).with_name("real_place_stems.txt")

FIRST = (
    "安宝碧昌崇丹德鼎东凤福阜广桂汉浩衡华怀嘉建金晋靖峻开兰乐黎丽临灵龙泸罗茂梅明南宁"
    "攀浦祁启黔清庆瑞韶邵盛石寿双顺泗松绥泰桃天桐万望文武西溪祥湘兴秀宣延炎仪宜英永攸"
    "余玉元沅云漳昭肇正芷中舟株资遵"
)

SECOND = (
    "安宝滨川春丹德丰峰冈谷汉河鹤华化桓汇嘉江津泾靖康兰乐陵龙隆泸禄门宁浦祁庆泉仁山"
    "胜寿水顺泰潭陶田亭溪祥阳洋仪义阴源远云漳川沙丘坪溶"
)

# Never in a stem (see the module docstring).
FORBIDDEN = set("平大通湖县区市省州镇乡村局委办我全本各该在和与及的是为对向到将把从等其此每两多个")
# Never the last character of a stem: the detector takes `…新区`, `…城区` for generic nouns.
FORBIDDEN_LAST = set("新老主城园林景片边社辖郊库矿垦牧灾疫试")


@cache
def real_stems() -> frozenset[str]:
    """Stems of real place names (`#` lines are comments)."""
    lines = REAL_STEMS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))
