"""The sheets an office hands out, as rows: the task ledger (任务分工台账), the indicator table
(指标汇总) and the consistency report (指标一致性检查).

Columns come in the order such ledgers use — 序号, 任务, 任务内容, 牵头单位, 配合单位, 目标指标,
完成时限, 出处 — with agencies in the order the plan names them (the first lead answers for the
task). What a reader never needs on paper (task ids, file names, offsets, raw numbers) follows
as reference columns after `Table.printed`, so the printed page stays one page wide.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import PurePath

from plankg.graph.exports import (
    COMPARATOR_SYMBOLS,
    ROLE_NAMES,
    Cell,
    IndicatorConflict,
    Table,
    agency_names,
    all_tasks,
    find_conflicts,
    scoped_indicators,
    section_text,
    target_text,
    value_text,
)
from plankg.graph.store import (
    AgencyInfo,
    IndicatorInfo,
    PlanInfo,
    RoleFilter,
    SourceRef,
    Store,
    TaskInfo,
)

LEDGER_HEADERS = (
    "序号",
    "任务",
    "任务内容",
    "牵头单位",
    "配合单位",
    "目标指标",
    "完成时限",
    "出处",
)
LEDGER_REFERENCE = ("截止日期", "项目", "园区", "任务编号", "文件")
AGENCY_ROLE = "本单位职责"  # the per-agency ledger's extra column, after 序号

INDICATOR_HEADERS = ("序号", "辖区", "指标", "目标值", "年份", "类型", "任务", "牵头单位", "出处")
INDICATOR_REFERENCE = (
    "比较",
    "数值",
    "单位",
    "标准化数值",
    "标准化单位",
    "任务编号",
    "文件",
    "起",
    "止",
)

CONFLICT_HEADERS = ("序号", "辖区", "指标（规范化）", "目标A", "出处A", "目标B", "出处B")
CONFLICT_REFERENCE = ("文件A", "任务编号A", "位置A", "文件B", "任务编号B", "位置B")
CONFLICT_RULE = (
    "比对规则：同一辖区的不同方案中，指标名称规范化后相同（去空白、标点和“全县”等范围词）、"
    "标准化单位相同、年份相同或未写明，而目标值不同"
)


# ---------------------------------------------------------------- cells
def source_text(source: SourceRef) -> str:
    """`《plan title》` and, on the next line, the section path: where to read the original."""
    section = section_text(source.section)
    title = f"《{source.plan_title}》" if source.plan_title else source.doc
    return f"{title}\n{section}" if section else title


def deadline_text(task: TaskInfo) -> str:
    """The deadline as written; the date alone when only a date is known."""
    if task.deadline is None:
        return ""
    return task.deadline.text or task.deadline.date or ""


def _roles_of(task: TaskInfo, agency_iri: str) -> str:
    return "、".join(
        ROLE_NAMES[k]
        for k, refs in (("lead", task.lead), ("assist", task.assist))
        if any(r.iri == agency_iri for r in refs)
    )


# ---------------------------------------------------------------- scope lines
def find_plan(store: Store, plan: str | None) -> PlanInfo | None:
    """The plan a `plan` filter names (document name or its stem)."""
    if plan is None:
        return None
    return next((p for p in store.plans() if plan in (p.doc, PurePath(p.doc).stem, p.iri)), None)


def scope_line(
    store: Store,
    jurisdiction: str | None = None,
    plan: str | None = None,
    agency: AgencyInfo | None = None,
    extra: Iterable[str] = (),
) -> str:
    """`辖区：平江县　方案：《…》　…`: what a sheet covers, for the line under its title."""
    info = find_plan(store, plan)
    where = jurisdiction or (agency.jurisdiction if agency else None)
    where = where or (info.jurisdiction if info else None)
    if info is not None:
        plans = f"方案：《{info.title}》"
    else:
        count = sum(1 for p in store.plans() if where in (None, p.jurisdiction))
        plans = f"方案：全部（{count} 个）"
    parts = [f"辖区：{where or '全部'}", plans]
    if agency is not None:
        parts.append(f"单位：{agency.name}")
    return "　".join([*parts, *extra])


def _jurisdiction_title(store: Store, name: str, jurisdiction: str | None, plan: str | None) -> str:
    info = find_plan(store, plan)
    where = jurisdiction or (info.jurisdiction if info else "")
    return f"{where}{name}"


# ---------------------------------------------------------------- the ledger
def task_ledger(
    store: Store,
    agency: AgencyInfo | None = None,
    role: RoleFilter = "any",
    jurisdiction: str | None = None,
    plan: str | None = None,
) -> Table:
    """任务分工台账: one row per task, for one agency (with its role in each task) or for all."""
    if agency is None:
        tasks = all_tasks(store, jurisdiction, plan)
        headers: tuple[str, ...] = LEDGER_HEADERS
        title = _jurisdiction_title(store, "任务分工台账", jurisdiction, plan)
    else:
        tasks = store.tasks_of_agency(agency.iri, role, plan, jurisdiction)
        headers = (LEDGER_HEADERS[0], AGENCY_ROLE, *LEDGER_HEADERS[1:])
        title = f"{agency.name}任务分工台账"
    rows = []
    for n, t in enumerate(tasks, 1):
        printed: tuple[Cell, ...] = (
            t.title,
            t.text,
            agency_names(t.lead),
            agency_names(t.assist),
            "\n".join(target_text(i) for i in t.indicators),
            deadline_text(t),
            source_text(t.source),
        )
        if agency is not None:
            printed = (_roles_of(t, agency.iri), *printed)
        reference = (
            t.deadline.date if t.deadline and t.deadline.date else None,
            "、".join(t.projects),
            "、".join(t.parks),
            t.id,
            t.source.doc,
        )
        rows.append((n, *printed, *reference))
    extra = [f"共 {len(rows)} 项任务"]
    if agency is not None:
        lead = sum(any(r.iri == agency.iri for r in t.lead) for t in tasks)
        assist = sum(any(r.iri == agency.iri for r in t.assist) for t in tasks)
        extra = [f"牵头 {lead} 项、配合 {assist} 项", *extra]
    return Table(
        "ledger",
        title,
        (*headers, *LEDGER_REFERENCE),
        tuple(rows),
        scope_line(store, jurisdiction, plan, agency, extra),
        len(headers),
    )


# ---------------------------------------------------------------- indicators
def indicator_table(
    store: Store,
    jurisdiction: str | None = None,
    plan: str | None = None,
    subject: str | None = None,
) -> Table:
    """Every target across plans, one row each: what, how much, by when, who leads, where."""
    tasks: dict[str, TaskInfo | None] = {}
    rows = []
    for n, (j, i) in enumerate(scoped_indicators(store, jurisdiction, plan, subject), 1):
        task = None
        if i.task_id is not None:
            if i.task_id not in tasks:
                tasks[i.task_id] = store.task(i.task_id)
            task = tasks[i.task_id]
        rows.append(
            (
                n,
                j,
                i.subject,
                value_text(i),
                i.year,
                "目标" if i.task_id is None else "任务指标",
                task.title if task else "",
                agency_names(task.lead) if task else "",
                source_text(i.source),
                COMPARATOR_SYMBOLS.get(i.comparator, i.comparator) or "=",
                i.value,
                i.unit,
                i.norm_value,
                i.norm_unit,
                i.task_id or "",
                i.source.doc,
                i.source.start,
                i.source.end,
            )
        )
    extra = [f"共 {len(rows)} 项指标"] + ([f"指标含“{subject}”"] if subject else [])
    return Table(
        "indicators",
        _jurisdiction_title(store, "指标汇总", jurisdiction, plan),
        (*INDICATOR_HEADERS, *INDICATOR_REFERENCE),
        tuple(rows),
        scope_line(store, jurisdiction, plan, extra=extra),
        len(INDICATOR_HEADERS),
    )


# ---------------------------------------------------------------- consistency
def _side(i: IndicatorInfo) -> tuple[Cell, Cell]:
    return target_text(i), source_text(i.source)


def _side_reference(i: IndicatorInfo) -> tuple[Cell, ...]:
    return i.source.doc, i.task_id or "目标", f"{i.source.start}–{i.source.end}"


def conflict_table(
    conflicts: Iterable[IndicatorConflict], title: str = "指标一致性检查", scope: str = ""
) -> Table:
    rows = tuple(
        (
            n,
            c.jurisdiction,
            c.subject,
            *_side(c.a),
            *_side(c.b),
            *_side_reference(c.a),
            *_side_reference(c.b),
        )
        for n, c in enumerate(conflicts, 1)
    )
    return Table(
        "conflicts",
        title,
        (*CONFLICT_HEADERS, *CONFLICT_REFERENCE),
        rows,
        scope,
        len(CONFLICT_HEADERS),
    )


def consistency_report(
    store: Store,
    jurisdiction: str | None = None,
    subject: str | None = None,
    plan: str | None = None,
) -> Table:
    """指标一致性检查: the pairs `find_conflicts` reports, with both sources, and the rule."""
    conflicts = find_conflicts(store, jurisdiction, subject, plan)
    extra = [f"共 {len(conflicts)} 处不一致", CONFLICT_RULE]
    return conflict_table(
        conflicts,
        _jurisdiction_title(store, "指标一致性检查", jurisdiction, plan),
        scope_line(store, jurisdiction, plan, extra=extra),
    )
