"""Projects by park: each park with the projects located in it and the tasks that mention the
park or those projects.

Tasks come from `all_tasks` (every task naming an agency) plus the ones `projects_in_park`
lists, matched by the park/project names the store attached to each task. Over the node budget
the tasks fold into counts on the park and project nodes; if still over, the parks with the
most projects and tasks stay and the rest fold into one 其他园区 node.
"""

from __future__ import annotations

from collections import defaultdict

from plankg.graph.exports import all_tasks, section_text
from plankg.graph.sheets import deadline_text
from plankg.graph.store import ParkInfo, ProjectInfo, Store, TaskInfo
from plankg.viz.page import (
    DEFAULT_NODE_BUDGET,
    OTHER_COLOUR,
    VEdge,
    View,
    VNode,
    filter_controls,
    plan_title,
    render_html,
    scope_note,
    short,
)

PARK_COLOUR = "#17becf"
PROJECT_COLOUR = "#c49c94"
TASK_COLOUR = "#d9c8ec"
MENTION_COLOUR = "#a48fc4"
OTHER_ID = "other:parks"
LEGEND = [(PARK_COLOUR, "园区"), (PROJECT_COLOUR, "项目（位于园区）"), (TASK_COLOUR, "提及的任务")]


def _task_tooltip(t: TaskInfo) -> str:
    return "\n".join(
        [
            t.title or t.id,
            f"{t.source.plan_title} · {section_text(t.source.section)}",
            f"牵头：{'、'.join(a.name for a in t.lead) or '—'}",
            *([f"完成时限：{deadline_text(t)}"] if t.deadline else []),
            short(t.text, 200),
        ]
    )


def _gather(
    store: Store, jurisdiction: str | None, plan: str | None
) -> tuple[list[ParkInfo], dict[str, list[ProjectInfo]], list[TaskInfo]]:
    parks = store.parks(jurisdiction)
    projects = {p.iri: store.projects_in_park(p.iri) for p in parks}
    tasks = {t.id: t for t in all_tasks(store, jurisdiction, plan)}
    for proj in (p for ps in projects.values() for p in ps):
        for tid in proj.task_ids:
            if tid not in tasks:
                t = store.task(tid)
                if t and (
                    plan is None or plan in (t.source.doc, t.source.doc.removesuffix(".txt"))
                ):
                    tasks[tid] = t
    return parks, projects, sorted(tasks.values(), key=lambda t: (t.source.doc, t.source.start))


def build_parks_view(
    store: Store,
    jurisdiction: str | None = None,
    plan: str | None = None,
    max_nodes: int = DEFAULT_NODE_BUDGET,
) -> View:
    """With a `plan`, only parks mentioned (directly or through a project) by its tasks."""
    view = View(
        title=f"园区与项目 — {jurisdiction or '全部辖区'}",
        legend=LEGEND,
        controls=filter_controls(store, jurisdiction, plan),
        directed=True,
    )
    view.notes.append(
        scope_note(jurisdiction, plan_title(store, plan))
        + "。箭头：项目 → 所在园区，任务 → 提及的园区或项目。"
    )
    parks, projects, tasks = _gather(store, jurisdiction, plan)
    park_tasks: dict[str, list[TaskInfo]] = defaultdict(list)  # park iri → tasks naming it
    project_tasks: dict[str, list[TaskInfo]] = defaultdict(list)  # project iri → tasks
    for park in parks:
        names = {p.name: p.iri for p in projects[park.iri]}
        for t in tasks:
            if t.jurisdiction != park.jurisdiction:
                continue
            if park.name in t.parks:
                park_tasks[park.iri].append(t)
            for name in set(t.projects) & names.keys():
                if t not in project_tasks[names[name]]:
                    project_tasks[names[name]].append(t)

    def weight(p: ParkInfo) -> int:
        return (
            len(projects[p.iri])
            + len(park_tasks[p.iri])
            + sum(len(project_tasks[x.iri]) for x in projects[p.iri])
        )

    if plan:
        parks = [
            p
            for p in parks
            if park_tasks[p.iri] or any(project_tasks[x.iri] for x in projects[p.iri])
        ]
    if not parks:
        view.notes.append("所选范围内没有园区。")
        return view
    budget = max(max_nodes, 2)
    project_iris = {x.iri for p in parks for x in projects[p.iri]}
    task_iris = {t.iri for p in parks for t in park_tasks[p.iri]}
    task_iris |= {t.iri for x in project_iris for t in project_tasks[x]}
    show_tasks = len(parks) + len(project_iris) + len(task_iris) <= budget
    if not show_tasks:
        view.aggregated = True
        view.notes.append(
            f"节点数 {len(parks) + len(project_iris) + len(task_iris)} 超过上限 {budget}："
            "任务不单独显示，园区和项目标签中给出提及次数。"
        )
    ranked = sorted(parks, key=lambda p: (-weight(p), p.name, p.iri))
    kept = ranked if len(parks) + len(project_iris) <= budget else _fit(ranked, projects, budget)
    folded = ranked[len(kept) :]
    if folded:
        view.aggregated = True
        view.nodes.append(
            VNode(
                OTHER_ID,
                f"其他园区（{len(folded)} 个）",
                "、".join(p.name for p in folded[:30]) + ("等" if len(folded) > 30 else ""),
                OTHER_COLOUR,
                shape="diamond",
            )
        )
        view.notes.append(
            f"园区 {len(parks)} 个：显示项目和任务最多的 {len(kept)} 个，其余合并为“其他园区”。"
        )
    _draw(view, kept, projects, park_tasks, project_tasks, show_tasks and not folded)
    return view


def _fit(
    ranked: list[ParkInfo], projects: dict[str, list[ProjectInfo]], budget: int
) -> list[ParkInfo]:
    """The leading parks whose nodes (park + its projects) fit, one slot left for 其他园区."""
    kept: list[ParkInfo] = []
    used: set[str] = set()
    for p in ranked:
        extra = {x.iri for x in projects[p.iri]} - used
        if kept and len(kept) + len(used) + len(extra) + 1 > budget - 1:
            break
        kept.append(p)
        used |= extra
    return kept


def _draw(
    view: View,
    parks: list[ParkInfo],
    projects: dict[str, list[ProjectInfo]],
    park_tasks: dict[str, list[TaskInfo]],
    project_tasks: dict[str, list[TaskInfo]],
    show_tasks: bool,
) -> None:
    seen: set[str] = set()

    def task_node(t: TaskInfo) -> None:
        if t.iri not in seen:
            seen.add(t.iri)
            view.nodes.append(
                VNode(t.iri, short(t.title or t.id), _task_tooltip(t), TASK_COLOUR, shape="box")
            )

    for park in parks:
        n_tasks = len(park_tasks[park.iri])
        label = park.name if show_tasks else f"{park.name}（{n_tasks} 项任务）"
        view.nodes.append(
            VNode(
                park.iri,
                label,
                f"{park.name}（{park.jurisdiction}）\n"
                f"项目 {len(projects[park.iri])} 个，提及任务 {n_tasks} 项",
                PARK_COLOUR,
                size=18 + min(len(projects[park.iri]) + n_tasks, 20),
                shape="diamond",
            )
        )
        if show_tasks:
            for t in park_tasks[park.iri]:
                task_node(t)
                view.edges.append(
                    VEdge(t.iri, park.iri, f"{t.title} 提及 {park.name}", color=MENTION_COLOUR)
                )
        for proj in projects[park.iri]:
            if proj.iri not in seen:
                seen.add(proj.iri)
                ts = project_tasks[proj.iri]
                label = short(proj.name) if show_tasks else f"{short(proj.name)}（{len(ts)}）"
                view.nodes.append(
                    VNode(
                        proj.iri,
                        label,
                        "\n".join(
                            [proj.name, f"位于：{'、'.join(proj.parks)}", *proj.evidence[:3]]
                        ),
                        PROJECT_COLOUR,
                        shape="square",
                        size=12,
                    )
                )
                if show_tasks:
                    for t in ts:
                        task_node(t)
                        view.edges.append(
                            VEdge(
                                t.iri, proj.iri, f"{t.title} 提及 {proj.name}", color=MENTION_COLOUR
                            )
                        )
            view.edges.append(
                VEdge(
                    proj.iri,
                    park.iri,
                    f"{proj.name} 位于 {park.name}",
                    width=2,
                    color=PARK_COLOUR,
                    label="位于",
                )
            )


def parks_page(
    store: Store,
    jurisdiction: str | None = None,
    plan: str | None = None,
    max_nodes: int = DEFAULT_NODE_BUDGET,
    index_href: str | None = None,
) -> str:
    return render_html(build_parks_view(store, jurisdiction, plan, max_nodes), index_href)
