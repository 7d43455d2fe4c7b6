"""A plan's real title: broken over lines, before its document number, behind a page tag;
the file name only as the last resort."""

from __future__ import annotations

import pytest

from plankg.ingest.extract import extract_text


@pytest.mark.parametrize(
    ("text", "title"),
    [
        (
            "县人民政府办公室关于\n印发2024年重点工作\n任务分解的通知\n各乡镇：…。\n",
            "县人民政府办公室关于印发2024年重点工作任务分解的通知",
        ),
        (
            "【政策文件】市政府关于印发优化营商环境若干措施的通知\n正文…。\n",
            "市政府关于印发优化营商环境若干措施的通知",
        ),
        (
            "某省人民政府关于明确2023年重点工作责任单位的通知某政〔2023〕5号现将任务分解如下。\n",
            "某省人民政府关于明确2023年重点工作责任单位的通知",
        ),
        ("您当前的位置：首页>政务公开>通知\n2024年民生实事项目清单\n", "2024年民生实事项目清单"),
        (
            "附件：1.重点任务清单\n2.民生实事清单\n附件1\n县2024年重点任务责任分解\n",
            "县2024年重点任务责任分解",
        ),
        ("(此件公开发布)\n县2024年重点任务责任分解\n", "县2024年重点任务责任分解"),
        ("原标题：某市2023年市级民生实事清单\n", "某市2023年市级民生实事清单"),
    ],
)
def test_titles(text, title):
    assert extract_text(text, "file.txt", jurisdiction="平江县").title == title


def test_a_title_keeps_its_script_and_the_file_name_is_the_last_resort():
    plan = extract_text("山東省2023年重點工作任務\n一、總體要求\n", "x.txt", jurisdiction="山东省")
    assert plan.title == "山東省2023年重點工作任務"
    plan = extract_text("一、工作目标\n到2025年，…。\n", "plan-2024.txt", jurisdiction="平江县")
    assert plan.title == "plan-2024"
    assert any(w.code == "no-title" for w in plan.warnings)
