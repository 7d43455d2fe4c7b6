"""Cross-agency load: who carries how many tasks, and who leads whom.

Every agency with tasks in scope is a node sized by its task count (for the chosen role) and
coloured by how its work splits between leading and assisting; an edge lead → assisting agency
is weighted by the tasks they share. Tooltips give the counts and the first tasks. Above the
node budget the busiest agencies stay and the rest fold into one 其他 node, and the page says so.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict

from plankg.graph.exports import agency_labels
from plankg.graph.store import AgencyRef, LoadRow, RoleFilter, Store, TaskInfo
from plankg.viz.page import (
    DEFAULT_NODE_BUDGET,
    OTHER_COLOUR,
    ROLE_COLOURS,
    ROLE_LABELS,
    VEdge,
    View,
    VNode,
    filter_controls,
    plan_title,
    render_html,
    scope_note,
)

OTHER_ID = "other:agencies"
MOSTLY_LEADS = "#1f77b4"
MOSTLY_ASSISTS = "#ff7f0e"
BOTH = "#2ca02c"
LEGEND = [
    (MOSTLY_LEADS, "以牵头为主（≥2/3）"),
    (MOSTLY_ASSISTS, "以配合为主（≥2/3）"),
    (BOTH, "牵头与配合并重"),
    (OTHER_COLOUR, "其他（合并）"),
]


def _measure(row: LoadRow, role: RoleFilter) -> int:
    return {"lead": row.lead, "assist": row.assist, "any": row.total}[role]


def _colour(row: LoadRow) -> str:
    if row.total and row.lead * 3 >= row.total * 2:
        return MOSTLY_LEADS
    if row.total and row.assist * 3 >= row.total * 2:
        return MOSTLY_ASSISTS
    return BOTH


def _size(value: int, top: int) -> float:
    return 10 + 40 * math.sqrt(value / top) if top else 10


def _task_lines(tasks: list[tuple[str, TaskInfo]], limit: int) -> list[str]:
    lines = [f"· [{ROLE_LABELS[r]}] {t.title or t.id}（{t.source.plan_title}）" for r, t in tasks]
    if len(lines) > limit:
        return [*lines[:limit], f"… 另 {len(lines) - limit} 项"]
    return lines


def build_load_view(
    store: Store,
    jurisdiction: str | None = None,
    plan: str | None = None,
    role: RoleFilter = "any",
    max_nodes: int = DEFAULT_NODE_BUDGET,
    top_tasks: int = 5,
) -> View:
    """The load network for one jurisdiction (or all) and plan (or all); `role` picks which
    count sizes the nodes and keeps only agencies that have tasks in that role."""
    view = View(
        title=f"跨部门任务负荷 — {jurisdiction or '全部辖区'}",
        legend=LEGEND,
        controls=filter_controls(store, jurisdiction, plan, role),
    )
    view.notes.append(
        scope_note(jurisdiction, plan_title(store, plan), role)
        + "。节点大小＝任务数，连线＝牵头单位 → 配合单位（粗细＝共同任务数）。"
    )
    rows = [r for r in store.load(jurisdiction, plan) if _measure(r, role) > 0]
    rows.sort(key=lambda r: (-_measure(r, role), r.agency.name, r.agency.iri))
    idle = len(store.agencies(jurisdiction=jurisdiction)) - len(rows)
    if idle > 0:
        view.notes.append(f"另有 {idle} 个单位在所选范围和角色下没有任务，未显示。")
    if not rows:
        view.notes.append("没有符合条件的任务。")
        return view
    max_nodes = max(max_nodes, 2)
    shown, folded = (
        (rows, [])
        if len(rows) <= max_nodes
        else (
            rows[: max_nodes - 1],
            rows[max_nodes - 1 :],
        )
    )
    labels = agency_labels(r.agency for r in rows)
    top = _measure(shown[0], role)
    node_of: dict[str, str] = {r.agency.iri: r.agency.iri for r in shown}
    node_of |= {r.agency.iri: OTHER_ID for r in folded}
    tasks_of: dict[str, list[TaskInfo]] = {}
    for r in shown:
        tasks = store.tasks_of_agency(r.agency.iri, "any", plan, jurisdiction)
        tasks_of[r.agency.iri] = tasks
        mine = [
            (k, t)
            for t in tasks
            for k, refs in (("lead", t.lead), ("assist", t.assist))
            if (role in (k, "any")) and any(a.iri == r.agency.iri for a in refs)
        ]
        mine.sort(key=lambda kt: kt[0] != "lead")  # led tasks first, plan order kept
        title = "\n".join(
            [
                f"{r.agency.name}（{r.agency.jurisdiction}）",
                f"牵头 {r.lead} 项，配合 {r.assist} 项，共 {r.total} 项",
                "主要任务：",
                *_task_lines(mine, top_tasks),
            ]
        )
        view.nodes.append(
            VNode(
                r.agency.iri,
                labels[r.agency.iri],
                title,
                _colour(r),
                _size(_measure(r, role), top),
            )
        )
    if folded:
        lead, assist = sum(r.lead for r in folded), sum(r.assist for r in folded)
        names = "、".join(labels[r.agency.iri] for r in folded[:8])
        view.nodes.append(
            VNode(
                OTHER_ID,
                f"其他（{len(folded)} 个单位）",
                f"合并显示的 {len(folded)} 个单位：{names}{'等' if len(folded) > 8 else ''}\n"
                f"合计牵头 {lead} 项，配合 {assist} 项（同一任务可能重复计入）",
                OTHER_COLOUR,
                _size(min(sum(_measure(r, role) for r in folded), top), top),
                shape="diamond",
            )
        )
        view.aggregated = True
        view.notes.append(
            f"单位数 {len(rows)} 超过显示上限 {max_nodes}：显示任务最多的 {len(shown)} 个单位，"
            f"其余 {len(folded)} 个合并为“其他”节点。"
        )
    _add_edges(view, store, jurisdiction, plan, node_of, tasks_of, labels)
    return view


def _add_edges(
    view: View,
    store: Store,
    jurisdiction: str | None,
    plan: str | None,
    node_of: dict[str, str],
    tasks_of: dict[str, list[TaskInfo]],
    labels: dict[str, str],
) -> None:
    weights: Counter[tuple[str, str]] = Counter()
    pairs: dict[tuple[str, str], list[tuple[AgencyRef, AgencyRef]]] = defaultdict(list)
    for cell in store.coordination(jurisdiction, plan, "lead_assist"):
        a, b = node_of.get(cell.row.iri), node_of.get(cell.col.iri)
        if a is None or b is None or a == b:
            continue
        weights[(a, b)] += cell.count
        pairs[(a, b)].append((cell.row, cell.col))
    top = max(weights.values(), default=1)
    for (a, b), n in sorted(weights.items(), key=lambda kv: (-kv[1], kv)):
        lines = []
        if OTHER_ID not in (a, b):
            shared = [
                t.title or t.id
                for t in tasks_of.get(a, [])
                if any(x.iri == a for x in t.lead) and any(y.iri == b for y in t.assist)
            ]
            lines = [f"· {s}" for s in shared[:5]]
            if len(shared) > 5:
                lines.append(f"… 另 {len(shared) - 5} 项")
        name_a = labels.get(a, "其他单位")
        name_b = labels.get(b, "其他单位")
        view.edges.append(
            VEdge(
                a,
                b,
                "\n".join([f"{name_a} 牵头、{name_b} 配合：{n} 项任务", *lines]),
                width=1 + 7 * n / top,
                color=ROLE_COLOURS["assist"] if OTHER_ID in (a, b) else "#7f8c8d",
            )
        )


def load_page(
    store: Store,
    jurisdiction: str | None = None,
    plan: str | None = None,
    role: RoleFilter = "any",
    max_nodes: int = DEFAULT_NODE_BUDGET,
    index_href: str | None = None,
) -> str:
    return render_html(build_load_view(store, jurisdiction, plan, role, max_nodes), index_href)
