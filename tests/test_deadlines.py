"""Deadlines: the text as written and, where it states one, the date it ends on."""

from __future__ import annotations

from pathlib import Path

import pytest

from plankg.ingest import deadlines
from plankg.ingest.evaluation import run_gold_set
from plankg.ingest.extract import extract_text

REALPLANS = Path(__file__).resolve().parent / "realplans"


@pytest.mark.parametrize(
    ("text", "year", "date"),
    [
        ("12月底前", 2024, "2024-12-31"),
        ("2023年6月底前完成", 2024, "2023-06-30"),
        ("2月底前", 2024, "2024-02-29"),  # the last day of the stated month
        ("9月投入使用", 2022, "2022-09-30"),
        ("2024年10月15日前", None, "2024-10-15"),
        ("年底前", 2025, "2025-12-31"),
        ("上半年", 2025, "2025-06-30"),
        ("第三季度", 2025, "2025-09-30"),
        ("2023.01-2023.12", None, "2023-12-31"),
        ("1月底前完成；其它事项12月底前取得成效", 2023, "2023-12-31"),  # the last of them
        ("长期坚持", 2024, None),
        ("持续推进", 2024, None),
        ("12月底前", None, None),  # no year anywhere: the text is kept, no date invented
    ],
)
def test_dates(text, year, date):
    found = deadlines.parse(text, text, year)
    assert found.text == text.strip("，,。；;")
    assert found.date == date


def test_the_plan_year_comes_from_the_title_first():
    assert deadlines.plan_year("平江县2024年重点工作任务分解\n2023年11月印发") == 2024
    assert deadlines.plan_year("某方案\n到2025年，…2025年…2024年") == 2025
    assert deadlines.plan_year("某方案") is None


def test_deadline_phrases_in_task_text():
    plan = extract_text(
        "某县2024年重点工作方案\n1.完成农村改厕1000户，9月底前全部完工。（县农业农村局牵头）\n"
        "2.推进改革。（县发改局牵头）\n",
        "x.txt",
        jurisdiction="平江县",
    )
    assert [t.deadline.to_record() if t.deadline else None for t in plan.tasks] == [
        {"text": "9月底前", "date": "2024-09-30"},
        None,
    ]
    record = plan.tasks[0].to_record()
    assert record["deadline"] == {"text": "9月底前", "date": "2024-09-30"}


# every task of the development set's plans that states a deadline has it: table columns,
# labels, limits inside a clause and phrases in a target cell
EXPECTED = {
    "09.txt": [(None, "12月底前取得明显成效并长期坚持")],
    "13.txt": [("2021-02-28", "2021年2月底前")] * 4,
    "15.txt": [("2020-06-30", "6月底完成")],
    "16.txt": [("2023-12-31", "2023.01-2023.12")] * 2,
    "20.txt": [(None, "持续推进")] * 2,
}


def test_every_task_that_states_a_deadline_has_it():
    run = run_gold_set(REALPLANS)
    for plan in run.plans:
        if plan.doc not in EXPECTED:
            continue
        got = [(t.deadline.date, t.deadline.text) if t.deadline else None for t in plan.tasks]
        want = EXPECTED[plan.doc]
        assert len(got) == len(want), plan.doc
        for (g_date, g_text), (w_date, w_text) in zip(got, want, strict=True):
            assert g_date == w_date and w_text in g_text, plan.doc
