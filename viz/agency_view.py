"""One agency's neighbourhood: the tasks it leads and assists, their targets, and the
agencies it shares them with.

The page opens readable: tasks are labelled boxes, their targets are collapsed into them (a
click on a task, or the 展开全部指标 button, shows them), and only the partners it shares most
tasks with are drawn (the rest become one 其他单位 node). Over the node budget the view first
folds targets into the task tooltips, then tasks into one node per plan — each step is stated
on the page.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable

from plankg.graph.exports import agency_labels, resolve_one, section_text, target_text
from plankg.graph.sheets import deadline_text
from plankg.graph.store import AgencyInfo, AgencyRef, RoleFilter, Store, TaskInfo
from plankg.viz.page import (
    DEFAULT_NODE_BUDGET,
    OTHER_COLOUR,
    ROLE_COLOURS,
    ROLE_LABELS,
    Control,
    VEdge,
    View,
    VNode,
    plan_title,
    render_html,
    scope_note,
    short,
)

CENTRE_COLOUR = "#d62728"
TASK_COLOUR = "#d9c8ec"
PLAN_COLOUR = "#b39ddb"
INDICATOR_COLOUR = "#dbdb8d"
PARTNER_COLOUR = "#8fb3d9"
OTHER_ID = "other:partners"
PARTNER_LIMIT = 12  # partners drawn by default: past a dozen their edges become a hairball
GROUP_OVER = 20  # more tasks than this open grouped (by plan, or section), expanded on a click
LEGEND = [
    (CENTRE_COLOUR, "本单位"),
    (TASK_COLOUR, "任务"),
    (INDICATOR_COLOUR, "指标"),
    (PARTNER_COLOUR, "协同单位"),
    (ROLE_COLOURS["lead"], "牵头（实线）"),
    (ROLE_COLOURS["assist"], "配合（虚线）"),
]


def _roles(t: TaskInfo, iri: str) -> list[str]:
    return [
        k for k, refs in (("lead", t.lead), ("assist", t.assist)) if any(a.iri == iri for a in refs)
    ]


def _task_tooltip(t: TaskInfo) -> str:
    """Title, source, leads and assists in the plan's order, deadline, targets, text."""
    lines = [
        t.title or t.id,
        f"{t.source.plan_title} · {section_text(t.source.section)}",
        f"牵头：{'、'.join(a.name for a in t.lead) or '—'}",
        f"配合：{'、'.join(a.name for a in t.assist) or '—'}",
    ]
    if t.deadline is not None:
        lines.append(f"完成时限：{deadline_text(t)}")
    if t.indicators:
        lines.append("指标：" + "；".join(target_text(i) for i in t.indicators))
    lines.append(short(t.text, 240))
    return "\n".join(lines)


def _edge(source: str, target: str, role: str, title: str, width: float = 1.5) -> VEdge:
    return VEdge(
        source,
        target,
        title,
        width=width,
        color=ROLE_COLOURS[role],
        dashes=role == "assist",
        label=ROLE_LABELS[role],
    )


def build_agency_view(
    store: Store,
    name: str,
    jurisdiction: str | None = None,
    plan: str | None = None,
    role: RoleFilter = "any",
    max_nodes: int = DEFAULT_NODE_BUDGET,
    partner_limit: int = PARTNER_LIMIT,
    group_over: int = GROUP_OVER,
) -> View:
    """Raises `AgencyNotFound` / `AmbiguousAgency` (graph.exports) for a bad `name`."""
    agency = resolve_one(store, name, jurisdiction)
    tasks = store.tasks_of_agency(agency.iri, role, plan, jurisdiction)
    view = View(
        title=f"单位关系 — {agency.name}",
        legend=LEGEND,
        controls=_controls(store, agency, plan, role),
    )
    view.notes.append(scope_note(agency.jurisdiction, plan_title(store, plan), role))
    view.nodes.append(
        VNode(
            agency.iri,
            agency.name,
            "\n".join(
                [
                    f"{agency.name}（{agency.jurisdiction}）",
                    f"别名：{'、'.join(agency.aliases) or '—'}",
                    f"牵头 {sum('lead' in _roles(t, agency.iri) for t in tasks)} 项，"
                    f"配合 {sum('assist' in _roles(t, agency.iri) for t in tasks)} 项",
                ]
            ),
            CENTRE_COLOUR,
            size=32,
            shape="star",
        )
    )
    if not tasks:
        view.notes.append("该单位在所选范围内没有任务。")
        return view
    partners: Counter[str] = Counter()
    refs: dict[str, AgencyRef] = {}
    for t in tasks:
        for a in {*t.lead, *t.assist}:
            if a.iri != agency.iri:
                partners[a.iri] += 1
                refs[a.iri] = a
    n_indicators = sum(len(t.indicators) for t in tasks)
    budget = max(max_nodes, 3)
    full = 1 + len(tasks) + n_indicators + len(partners)
    show_indicators = full <= budget
    plans = sorted({t.source.doc for t in tasks})
    per_task = 1 + len(tasks) + len(partners) <= budget
    if not show_indicators and n_indicators:
        view.aggregated = True
        view.notes.append(f"节点数 {full} 超过上限 {budget}：{n_indicators} 个指标并入任务提示。")
    if per_task and len(tasks) > group_over:
        target_of = _group_of(tasks)
        _add_groups(view, agency, tasks, target_of, show_indicators)
        partner_budget = min(len(partners), budget - 1 - len(tasks))
        view.expand_label = "展开全部"
        view.expand_hint = (
            f"任务 {len(tasks)} 项已按{'方案' if len(plans) > 1 else '章节'}分组"
            + ("、指标收入所属任务" if show_indicators and n_indicators else "")
            + "：点击分组或任务可展开。"
        )
    elif per_task:
        target_of = _task_target
        _add_tasks(view, agency, tasks, show_indicators)
        partner_budget = min(len(partners), budget - 1 - len(tasks))
        if show_indicators and n_indicators:
            view.expand_label = "展开全部指标"
            view.expand_hint = f"{n_indicators} 个指标已收入所属任务：点击任务可展开。"
    else:
        view.aggregated = True
        view.notes.append(
            f"任务 {len(tasks)} 项按方案合并为 {len(plans)} 个节点（提示中列出任务）。"
        )
        target_of = _plan_target
        _add_plans(view, agency, tasks)
        partner_budget = max(budget - 1 - len(plans) - 1, 1)
    limit = max(min(partner_budget, partner_limit), 1)
    _add_partners(view, agency, tasks, partners, refs, limit, target_of)
    return view


def _task_target(t: TaskInfo) -> str:
    return t.iri


def _plan_target(t: TaskInfo) -> str:
    return _plan_id(t.source.doc)


def _group_of(tasks: list[TaskInfo]) -> Callable[[TaskInfo], str]:
    """Tasks grouped by plan, or by top-level section when they all come from one plan."""
    if len({t.source.doc for t in tasks}) > 1:
        return _plan_target
    return lambda t: "group:" + (t.source.section[0] if t.source.section else "—")


def _add_groups(
    view: View,
    agency: AgencyInfo,
    tasks: list[TaskInfo],
    group_of: Callable[[TaskInfo], str],
    indicators: bool,
) -> None:
    """One labelled node per group, its tasks collapsed into it (shown on a click)."""
    grouped: dict[str, list[TaskInfo]] = defaultdict(list)
    for t in tasks:
        grouped[group_of(t)].append(t)
    for gid, ts in grouped.items():  # tasks come in plan order: so do the groups
        name = ts[0].source.plan_title if gid.startswith("plan:") else gid.removeprefix("group:")
        view.nodes.append(
            VNode(
                gid,
                f"{short(name, 14)}\n▸ {len(ts)} 项任务",
                "\n".join([name, *(f"· {t.title or t.id}" for t in ts[:15])])
                + (f"\n… 另 {len(ts) - 15} 项" if len(ts) > 15 else ""),
                PLAN_COLOUR,
                shape="box",
            )
        )
        for role in ("lead", "assist"):
            n = sum(role in _roles(t, agency.iri) for t in ts)
            if n:
                title, width = f"{ROLE_LABELS[role]} {n} 项", 1 + min(n, 10) * 0.6
                view.edges.append(_edge(agency.iri, gid, role, title, width))
        _add_tasks(view, agency, ts, indicators, parent=gid)


def _controls(store: Store, agency: AgencyInfo, plan: str | None, role: str) -> list[Control]:
    plans = [p for p in store.plans() if p.jurisdiction == agency.jurisdiction]
    j = agency.jurisdiction
    return [
        Control("jurisdiction", "辖区", ((j, j),), j),  # keeps an ambiguous name resolvable
        Control("plan", "方案", (("", "全部"), *((p.doc, p.title) for p in plans)), plan or ""),
        Control("role", "角色", tuple(ROLE_LABELS.items()), role),
    ]


def _add_tasks(
    view: View, agency: AgencyInfo, tasks: list[TaskInfo], indicators: bool, parent: str = ""
) -> None:
    """Task boxes tied to the agency (or, collapsed into a group, to the group node)."""
    for t in tasks:
        label = short(t.title or t.id)
        if indicators and t.indicators:
            label += f"\n▸ {len(t.indicators)} 项指标"
        view.nodes.append(
            VNode(t.iri, label, _task_tooltip(t), TASK_COLOUR, shape="box", parent=parent)
        )
        for role in _roles(t, agency.iri):
            source = parent or agency.iri
            view.edges.append(_edge(source, t.iri, role, f"{agency.name} {ROLE_LABELS[role]}"))
        if indicators:
            for i in t.indicators:
                view.nodes.append(
                    VNode(
                        i.iri,
                        short(target_text(i), 20),
                        f"{target_text(i)}\n{i.source.plan_title}"
                        f" · {section_text(i.source.section)}",
                        INDICATOR_COLOUR,
                        shape="ellipse",
                        parent=t.iri,
                    )
                )
                view.edges.append(VEdge(t.iri, i.iri, "目标", color=INDICATOR_COLOUR))


def _plan_id(doc: str) -> str:
    return f"plan:{doc}"


def _add_plans(view: View, agency: AgencyInfo, tasks: list[TaskInfo]) -> None:
    grouped: dict[str, list[TaskInfo]] = defaultdict(list)
    for t in tasks:
        grouped[t.source.doc].append(t)
    for doc, ts in sorted(grouped.items()):
        lines = [f"· {t.title or t.id}" for t in ts[:15]]
        if len(ts) > 15:
            lines.append(f"… 另 {len(ts) - 15} 项")
        title = ts[0].source.plan_title
        view.nodes.append(
            VNode(
                _plan_id(doc),
                f"{short(title, 14)}（{len(ts)} 项）",
                "\n".join([title, *lines]),
                PLAN_COLOUR,
                shape="box",
            )
        )
        for role in ("lead", "assist"):
            n = sum(role in _roles(t, agency.iri) for t in ts)
            if n:
                view.edges.append(
                    _edge(
                        agency.iri,
                        _plan_id(doc),
                        role,
                        f"{ROLE_LABELS[role]} {n} 项",
                        1 + min(n, 10) * 0.6,
                    )
                )


def _add_partners(
    view: View,
    agency: AgencyInfo,
    tasks: list[TaskInfo],
    partners: Counter[str],
    refs: dict[str, AgencyRef],
    budget: int,
    target_of: Callable[[TaskInfo], str],
) -> None:
    ranked = sorted(partners, key=lambda iri: (-partners[iri], refs[iri].name, iri))
    kept = ranked if len(ranked) <= budget else ranked[: budget - 1]
    folded = ranked[len(kept) :]
    labels = agency_labels(refs.values())
    for iri in kept:
        view.nodes.append(
            VNode(
                iri,
                labels[iri],
                f"{labels[iri]}\n与{agency.name}共同承担 {partners[iri]} 项任务",
                PARTNER_COLOUR,
                size=12 + min(partners[iri], 20),
            )
        )
    if folded:
        view.aggregated = True
        view.nodes.append(
            VNode(
                OTHER_ID,
                f"其他单位（{len(folded)} 个）",
                "、".join(labels[i] for i in folded[:20]) + ("等" if len(folded) > 20 else ""),
                OTHER_COLOUR,
                shape="diamond",
            )
        )
        view.notes.append(
            f"协同单位 {len(ranked)} 个：显示共同任务最多的 {len(kept)} 个，其余合并为“其他单位”。"
        )
    shown = set(kept)
    per_task = target_of is _task_target
    weights: Counter[tuple[str, str, str]] = Counter()
    for t in tasks:
        target = target_of(t)
        for role, group in (("lead", t.lead), ("assist", t.assist)):
            for a in group:
                if a.iri == agency.iri:
                    continue
                if a.iri in shown or not per_task:
                    weights[(a.iri if a.iri in shown else OTHER_ID, target, role)] += 1
    if folded and per_task:  # one edge for the folded partners, not one per task
        n = sum(partners[i] for i in folded)
        view.edges.append(
            VEdge(OTHER_ID, agency.iri, f"共同承担 {n} 项次", color=OTHER_COLOUR, dashes=True)
        )
    for (source, target, role), n in sorted(weights.items()):
        view.edges.append(
            _edge(source, target, role, f"{ROLE_LABELS[role]} {n} 项", 1 + min(n, 10) * 0.4)
        )


def agency_page(
    store: Store,
    name: str,
    jurisdiction: str | None = None,
    plan: str | None = None,
    role: RoleFilter = "any",
    max_nodes: int = DEFAULT_NODE_BUDGET,
    index_href: str | None = None,
) -> str:
    return render_html(
        build_agency_view(store, name, jurisdiction, plan, role, max_nodes), index_href
    )
