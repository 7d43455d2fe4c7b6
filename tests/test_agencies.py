"""Agency resolution: alias table, abbreviation expansion, minting, jurisdictions, kinds."""

import csv
import json
from pathlib import Path

import pytest

from plankg.ingest.agencies import (
    ONTOLOGY,
    AgencyDirectory,
    expand,
    guess_kind,
    is_agency_like,
    is_collective,
)
from plankg.ingest.model import Agency

GOLD = Path(__file__).resolve().parent / "gold"


def _jurisdiction(doc: str) -> str:
    return "大通湖区" if doc.startswith("004") else "平江县"


def _gold_pairs() -> list[tuple[str, str, str]]:
    pairs = []
    for line in (GOLD / "tasks.jsonl").read_text(encoding="utf-8").splitlines():
        task = json.loads(line)
        raws = task["lead_raw"] + task["assist_raw"]
        canonicals = task["lead"] + task["assist"]
        pairs += [(_jurisdiction(task["doc"]), r, c) for r, c in zip(raws, canonicals, strict=True)]
    for line in (GOLD / "taskforces.jsonl").read_text(encoding="utf-8").splitlines():
        group = json.loads(line)
        assert group["office_agency"]  # every sample group names its office
    return pairs


def _table_rows() -> list[dict[str, str]]:
    with (ONTOLOGY / "agencies.csv").open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def canonical_only_directory(drop: set[str] = frozenset()) -> AgencyDirectory:
    """The alias table without its aliases: how the resolver does on an unseen county."""
    return AgencyDirectory(
        Agency(r["canonical"], r["jurisdiction"], r["kind"])
        for r in _table_rows()
        if r["canonical"] not in drop
    )


def _accuracy(directory: AgencyDirectory) -> tuple[float, list]:
    pairs = _gold_pairs()
    misses = []
    for jurisdiction, raw, canonical in pairs:
        got = directory.resolver(jurisdiction).resolve(raw).canonical
        if got != canonical:
            misses.append((raw, canonical, got))
    return 1 - len(misses) / len(pairs), misses


def test_gold_accuracy_with_alias_table():
    accuracy, misses = _accuracy(AgencyDirectory.load())
    assert accuracy == 1.0, misses


def test_gold_accuracy_with_canonical_names_only():
    accuracy, misses = _accuracy(canonical_only_directory())
    print(f"resolution accuracy without alias rows: {accuracy:.3f} misses={misses}")
    assert accuracy >= 0.99, misses


def test_gold_with_an_empty_directory_clusters_every_spelling():
    """No table at all (a brand-new county): minted names, but one body per gold agency."""
    directory = AgencyDirectory()
    gold_to_found: dict[str, set[str]] = {}
    found_to_gold: dict[str, set[str]] = {}
    same_name = 0
    pairs = _gold_pairs()
    for jurisdiction, raw, canonical in pairs:
        found = directory.resolver(jurisdiction).resolve(raw).canonical
        gold_to_found.setdefault(canonical, set()).add(found)
        found_to_gold.setdefault(found, set()).add(canonical)
        same_name += found == canonical
    assert all(len(v) == 1 for v in gold_to_found.values()), gold_to_found
    assert all(len(v) == 1 for v in found_to_gold.values()), found_to_gold
    print(f"canonical names right with an empty directory: {same_name / len(pairs):.3f}")
    assert same_name / len(pairs) >= 0.9


def test_packaged_table_is_the_gold_table():
    with (GOLD / "agencies.csv").open(encoding="utf-8") as fh:
        gold = {r["canonical"] for r in csv.DictReader(fh)}
    assert gold <= {r["canonical"] for r in _table_rows()}


# ---------------------------------------------------------------- expansion, not aliases


@pytest.mark.parametrize(
    "raw", ["县科工信局", "科工信局", "县科技和工业信息化局", "平江县科工信局"]
)
def test_expansion_without_the_alias_row(raw):
    directory = canonical_only_directory()
    assert directory.resolver("平江县").resolve(raw).canonical == "平江县科技和工业信息化局"


@pytest.mark.parametrize("raw", ["县科工信局", "科工信局", "县科技和工业信息化局"])
def test_minting_without_any_row_converges(raw):
    directory = canonical_only_directory(drop={"平江县科技和工业信息化局"})
    agency = directory.resolver("平江县").resolve(raw)
    assert agency.canonical == "平江县科技和工业信息化局"
    assert agency.jurisdiction == "平江县"


@pytest.mark.parametrize(
    ("core", "full"),
    [
        ("发改局", "发展和改革局"),
        ("发展改革委", "发展和改革委员会"),
        ("发改委", "发展和改革委员会"),
        ("科工信局", "科技和工业信息化局"),
        ("工信局", "工业和信息化局"),
        ("文旅广体局", "文化旅游广电体育局"),
        ("文化旅游广体局", "文化旅游广电体育局"),
        ("文旅局", "文化和旅游局"),
        ("卫健局", "卫生健康局"),
        ("卫健委", "卫生健康委员会"),
        ("人社局", "人力资源和社会保障局"),
        ("住建局", "住房和城乡建设局"),
        ("住房城乡建设局", "住房和城乡建设局"),
        ("市场监管局", "市场监督管理局"),
        ("交通局", "交通运输局"),
        ("交通运输局", "交通运输局"),
        ("城管局", "城市管理和综合执法局"),
        ("工商联", "工商业联合会"),
        ("科协", "科学技术协会"),
        ("金融办", "金融工作办公室"),
        ("医保局", "医疗保障局"),
        ("退役军人局", "退役军人事务局"),
        ("应急局", "应急管理局"),
        ("国资委", "国有资产监督管理委员会"),
        ("发改财政局", "发展和改革财政局"),
        ("公安局交通警察大队", "公安局交通警察大队"),
    ],
)
def test_abbreviations(core, full):
    assert expand(core) == full


# ---------------------------------------------------------------- jurisdictions


def test_two_jurisdictions_never_share_an_agency():
    directory = AgencyDirectory.load()
    a = directory.resolver("大通湖区").resolve("区科技工信局")
    b = directory.resolver("平江县").resolve("县科工信局")
    assert a.canonical == "大通湖区科技工信局" and a.jurisdiction == "大通湖区"
    assert b.canonical == "平江县科技和工业信息化局" and b.jurisdiction == "平江县"
    fresh = canonical_only_directory(drop={"大通湖区科技工信局"})
    minted = fresh.resolver("大通湖区").resolve("区科技工信局")
    assert minted.canonical == "大通湖区科技和工业信息化局"
    assert minted.jurisdiction == "大通湖区"


def test_minting_prefixes_the_jurisdiction_and_is_reused():
    directory = AgencyDirectory.load()
    resolver = directory.resolver("平江县")
    explained = resolver.explain("县司法局")
    assert explained.method == "minted"
    assert explained.agency.canonical == "平江县司法局"
    assert explained.agency.kind == "government_department"
    assert resolver.resolve("司法局") == explained.agency
    assert explained.agency in directory.all_agencies()
    # a later plan of the same jurisdiction reuses it through the directory
    again = AgencyDirectory(directory.all_agencies()).resolver("平江县").explain("县司法局")
    assert again.method == "exact" and again.agency.canonical == "平江县司法局"


@pytest.mark.parametrize(
    "raw",
    ["岳阳市生态环境局平江分局", "国网平江供电公司", "人民银行平江支行", "平江高新区"],
)
def test_names_that_carry_a_place_keep_it(raw):
    directory = AgencyDirectory()  # nothing known
    assert directory.resolver("平江县").resolve(raw).canonical == raw


def test_upper_level_bodies():
    directory = AgencyDirectory.load()
    resolver = directory.resolver("平江县")
    branch = resolver.resolve("市生态环境局平江分局")
    assert branch.canonical == "岳阳市生态环境局平江分局" and branch.jurisdiction == "平江县"
    city = resolver.resolve("市发改委")
    assert city.canonical == "岳阳市发展和改革委员会" and city.jurisdiction == "岳阳市"
    province = resolver.resolve("省发展改革委")
    assert province.canonical == "湖南省发展和改革委员会" and province.jurisdiction == "湖南省"


def test_a_city_plan():
    resolver = AgencyDirectory().resolver("长沙市")
    cases = {
        "市发展改革委": "长沙市发展和改革委员会",
        "市住房城乡建设局": "长沙市住房和城乡建设局",
        "市住建局": "长沙市住房和城乡建设局",
        "市市场监管局": "长沙市市场监督管理局",
        "市场监管局": "长沙市市场监督管理局",
        "市人力资源社会保障局": "长沙市人力资源和社会保障局",
        "市委宣传部": "长沙市委宣传部",
        "省工业和信息化厅": "湖南省工业和信息化厅",  # the gazetteer puts 长沙市 in 湖南省
    }
    for raw, canonical in cases.items():
        assert resolver.resolve(raw).canonical == canonical, raw
    assert resolver.resolve("市委宣传部").kind == "party_department"
    assert resolver.resolve("宣传部").canonical == "长沙市委宣传部"


def test_traditional_and_simplified_resolve_alike():
    resolver = AgencyDirectory.load().resolver("平江县")
    assert resolver.resolve("縣發改局") == resolver.resolve("县发改局")


def test_unknown_jurisdiction_keeps_the_level_prefix():
    agency = AgencyDirectory().resolver("未知辖区").resolve("县发改局")
    assert agency.canonical == "县发展和改革局"


def test_collectives_stay_as_written():
    resolver = AgencyDirectory.load().resolver("平江县")
    collectives = [
        "各乡镇",
        "各乡镇（街道）",
        "县直各单位",
        "市级各有关部门",
        "各有关单位",
        "县直有关单位",
    ]
    for raw in collectives:
        agency = resolver.resolve(raw)
        assert agency.collective and agency.canonical == raw, raw
    assert AgencyDirectory.load().resolver("大通湖区").resolve("各镇").collective


# ---------------------------------------------------------------- names and kinds


@pytest.mark.parametrize(
    "name",
    [
        "县发改局",
        "市发展改革委",
        "县金融办",
        "省财政厅",
        "县委组织部",
        "平江高新区",
        "国网平江供电公司",
        "区大发集团",
        "石牛寨国家地质公园管理处",
        "人民银行平江支行",
        "县贸促会",
        "县工商联",
        "贸促会",
        "各镇",
        "县畜牧水产农机事务中心",
        "县人民政府",
    ],
)
def test_agency_like(name):
    assert is_agency_like(name)


@pytest.mark.parametrize(
    "name",
    [
        "平江",
        "黄茶",
        "试行",
        "新发展格局",
        "全部",
        "县政府分管副县长",
        "县发改局主要负责人",
        "2024年",
    ],
)
def test_not_agency_like(name):
    assert not is_agency_like(name)


def test_collective_detection():
    assert is_collective("区直各单位")
    assert not is_collective("区发改财政局")


def test_kind_guess_on_the_gold_table():
    rows = _table_rows()
    right = sum(guess_kind(r["canonical"]) == r["kind"] for r in rows)
    assert right / len(rows) >= 0.95


def test_data_files_are_well_formed():
    with (ONTOLOGY / "agency_abbreviations.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            assert row["short"] and row["full"], row
            assert row["scope"] in ("word", "name"), row
    with (ONTOLOGY / "agency_suffixes.csv").open(encoding="utf-8") as fh:
        kinds = {r["kind"] for r in csv.DictReader(fh)}
    assert kinds <= {
        "government_department",
        "party_department",
        "park_committee",
        "state_enterprise",
        "financial_regulator",
        "association",
        "other",
        "not_agency",
    }
