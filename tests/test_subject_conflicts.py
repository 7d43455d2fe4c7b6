"""The consistency report matches subjects through the one subject normaliser: two plans of one
district, extracted by the real pipeline into the embedded store, that write the same target
differently (item number, hedge, scope word, growth wording) give exactly one conflict row."""

from __future__ import annotations

from plankg.graph.embedded import EmbeddedStore
from plankg.graph.exports import find_conflicts
from plankg.graph.sheets import conflict_table
from plankg.ingest.extract import extract_text
from plankg.ingest.rdf import build_lines

PLAN_A = """青禾区2025年稳增长工作方案
一、工作任务
（一）稳住经济大盘
1.地区生产总值增长6.2%，一般公共预算收入增长5%。（区发改局牵头，区财政局、区统计局按职责分工负责）
2.新增城镇就业3000人以上。（区人社局牵头）
"""

PLAN_B = """青禾区2025年扩内需促消费实施方案
一、重点任务
（一）扩大有效需求
1.力争青禾区地区生产总值增幅7%左右，一般公共预算收入增速5%。（区发改局牵头，区统计局配合）
2.城镇就业3000人以上。（区人社局牵头）
"""


def _store() -> EmbeddedStore:
    plans = [
        extract_text(PLAN_A, "qinghe_a.txt", jurisdiction="青禾区"),
        extract_text(PLAN_B, "qinghe_b.txt", jurisdiction="青禾区"),
    ]
    return EmbeddedStore(build_lines(plans))


def test_one_conflict_row_for_one_subject_written_two_ways():
    store = _store()
    subjects = {i.source.doc: i.subject for i in store.indicators() if "生产总值" in i.subject}
    # each plan keeps its own wording; only the key is shared
    assert subjects == {
        "qinghe_a.txt": "地区生产总值增长率",
        "qinghe_b.txt": "青禾区地区生产总值增幅",
    }
    conflicts = find_conflicts(store)
    rows = conflict_table(conflicts).rows
    assert len(rows) == 1
    (c,) = conflicts
    assert c.jurisdiction == "青禾区"
    assert c.subject == "地区生产总值增长率"
    assert {c.a.source.doc, c.b.source.doc} == {"qinghe_a.txt", "qinghe_b.txt"}
    assert sorted((c.a.norm_value, c.b.norm_value)) == [6.2, 7.0]
    # equal revenue targets (增长 / 增速) are no conflict; 新增就业 and 就业 are different subjects
    assert all(i.norm_value != 5 for i in (c.a, c.b))
