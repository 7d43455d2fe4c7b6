"""One way to turn a view into a self-contained HTML page that works with no internet access.

Views build a `View` (plain nodes, edges, notes, legend); `render_html` draws it with pyvis.
pyvis 0.3.2 fetches vis-network and Bootstrap from CDNs even in "local" mode, so the page is
rendered with `cdn_resources="in_line"` (vis-network JS/CSS inlined, ~700 KB) and every remaining
remote `<script src>` / `<link href>` (Bootstrap) is removed; `remote_references` then finds
none — `render_html` refuses to return a page that still has one. The page also gets a doctype,
`lang="zh-CN"` (so the browser picks Chinese glyphs), a CJK font stack for node labels,
multi-line plain-text tooltips, and a `window.plankgReady` flag set on the first drawing
after layout (browser tests wait on it). Above `stabilize_limit` nodes the up-front physics
stabilisation is switched off so big graphs show at once and settle while visible.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field, replace

from plankg.graph.store import Store

CJK_FONTS = (
    "'PingFang SC', 'Microsoft YaHei', 'Noto Sans CJK SC', 'Source Han Sans SC', "
    "'WenQuanYi Micro Hei', 'Hiragino Sans GB', sans-serif"
)
DEFAULT_NODE_BUDGET = 300
DEFAULT_STABILIZE_LIMIT = 250
EDGE_LABEL_LIMIT = 80


@dataclass(frozen=True)
class VNode:
    id: str
    label: str
    title: str  # tooltip, plain text, newlines kept
    color: str
    size: float = 15
    shape: str = "dot"
    parent: str = ""  # collapsed into this node (hidden, out of the layout) until expanded


@dataclass(frozen=True)
class VEdge:
    source: str
    target: str
    title: str
    width: float = 1
    color: str = "#9aa5b1"
    dashes: bool = False
    label: str = ""


@dataclass(frozen=True)
class Control:
    """One filter of the GET form a served page shows (`name` is the query parameter)."""

    name: str
    label: str
    options: tuple[tuple[str, str], ...]  # (value, text); value "" = no filter
    selected: str = ""


@dataclass
class View:
    title: str
    nodes: list[VNode] = field(default_factory=list)
    edges: list[VEdge] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # filters in force, aggregation, empty view
    legend: list[tuple[str, str]] = field(default_factory=list)  # (colour, meaning)
    controls: list[Control] = field(default_factory=list)
    directed: bool = True
    aggregated: bool = False
    expand_label: str = ""  # the button that shows every collapsed node (VNode.parent)
    expand_hint: str = ""

    def labels(self) -> list[str]:
        return [n.label for n in self.nodes]

    def collapsed(self) -> list[VNode]:
        return [n for n in self.nodes if n.parent]


_REMOTE_TAG = re.compile(
    r"<(?:script|link|img|iframe|source)\b[^>]*?\b(?:src|href)\s*=\s*[\"']?(?:https?:)?//[^>]*>",
    re.IGNORECASE,
)
_REMOTE_SCRIPT = re.compile(
    r"<script\b[^>]*\bsrc\s*=\s*[\"']?(?:https?:)?//[^>]*>\s*</script>", re.IGNORECASE
)
_REMOTE_LINK = re.compile(r"<link\b[^>]*\bhref\s*=\s*[\"']?(?:https?:)?//[^>]*>", re.IGNORECASE)
_PYVIS_HEADING = re.compile(r"<center>\s*<h1>.*?</h1>\s*</center>", re.DOTALL)
_DRAW_CALL = re.compile(r"\n(\s*)drawGraph\(\);")

_STYLE = """
<style>
  body { margin: 0; font-family: %(fonts)s; color: #222; }
  header.plankg { padding: 8px 16px; border-bottom: 1px solid #ddd; background: #fafafa; }
  header.plankg h1 { font-size: 20px; margin: 4px 0; }
  header.plankg p { margin: 4px 0; font-size: 14px; }
  header.plankg .note { color: #8a4b00; }
  header.plankg form { display: flex; gap: 12px; flex-wrap: wrap; align-items: center;
                       font-size: 14px; margin: 6px 0; }
  .legend span.swatch { display: inline-block; width: 12px; height: 12px; margin: 0 4px 0 12px;
                        border-radius: 6px; vertical-align: -1px; }
  .vis-tooltip { white-space: pre-line !important; max-width: 480px; font-family: %(fonts)s;
                 font-size: 13px !important; line-height: 1.45; }
  #mynetwork { float: none !important; }
</style>
"""

_HOOK = """
{indent}(function () {{
{indent}  var bar = document.getElementById('loadingBar');
{indent}  window.plankgReady = false;
{indent}  window.plankgSettled = false;
{indent}  window.plankgView = {meta};
{indent}  network.once('afterDrawing', function () {{
{indent}    if (bar) {{ bar.style.display = 'none'; }}
{indent}    window.plankgReady = true;
{indent}  }});
{indent}  network.once('stabilized', function () {{
{indent}    network.fit();
{indent}    window.plankgSettled = true;
{indent}  }});
{indent}}})();"""

# Collapsed nodes (VNode.parent) start hidden and out of the physics; a click on their parent
# shows them next to it, the header button shows or hides them all.
_EXPAND = """
{indent}(function () {{
{indent}  var kids = {{}};
{indent}  nodes.get().forEach(function (n) {{
{indent}    if (n.parent) {{ (kids[n.parent] = kids[n.parent] || []).push(n.id); }}
{indent}  }});
{indent}  function show(parent, open) {{
{indent}    var ids = kids[parent] || [];
{indent}    var at = network.getPositions([parent])[parent] || {{x: 0, y: 0}};
{indent}    nodes.update(ids.map(function (id, i) {{
{indent}      var a = 2 * Math.PI * i / ids.length;
{indent}      return {{id: id, hidden: !open, physics: open,
{indent}              x: at.x + 120 * Math.cos(a), y: at.y + 120 * Math.sin(a)}};
{indent}    }}));
{indent}    if (!open) {{ ids.forEach(function (id) {{ show(id, false); }}); }}
{indent}  }}
{indent}  var button = document.getElementById('plankg-expand');
{indent}  window.plankgExpand = function (open) {{
{indent}    var roots = Object.keys(kids).filter(function (p) {{ return !nodes.get(p).parent; }});
{indent}    var all = function (p) {{ show(p, open); (kids[p] || []).forEach(function (k) {{
{indent}      if (kids[k]) {{ all(k); }} }}); }};
{indent}    roots.forEach(all);
{indent}    if (button) {{
{indent}      button.dataset.open = open ? '1' : '';
{indent}      button.textContent = open ? button.dataset.close : button.dataset.label;
{indent}    }}
{indent}  }};
{indent}  network.on('click', function (e) {{
{indent}    var p = e.nodes.length === 1 ? e.nodes[0] : null;
{indent}    if (p !== null && kids[p]) {{ show(p, nodes.get(kids[p][0]).hidden); }}
{indent}  }});
{indent}  if (button) {{
{indent}    button.addEventListener('click', function () {{
{indent}      window.plankgExpand(!button.dataset.open);
{indent}    }});
{indent}  }}
{indent}}})();"""


class OfflinePageError(RuntimeError):
    """The rendered page still loads something from the internet (pyvis changed?)."""


def remote_references(page: str) -> list[str]:
    """Tags in `page` that would fetch a script, stylesheet or image from another host."""
    return _REMOTE_TAG.findall(page)


def _options(view: View, physics_stabilize: bool, n: int) -> dict:
    return {
        "nodes": {"font": {"face": CJK_FONTS, "size": 14}, "borderWidth": 1},
        "edges": {
            "smooth": {"type": "continuous"} if n > DEFAULT_STABILIZE_LIMIT else True,
            "font": {"face": CJK_FONTS, "size": 11, "align": "middle"},
            "arrows": {"to": {"enabled": view.directed, "scaleFactor": 0.5}},
            "color": {"inherit": False},
        },
        "interaction": {"hover": True, "tooltipDelay": 120, "navigationButtons": False},
        "layout": {"improvedLayout": n <= 100, "randomSeed": 7},
        "physics": {
            "enabled": True,
            "solver": "forceAtlas2Based",
            "forceAtlas2Based": {"gravitationalConstant": -60, "springLength": 120},
            "stabilization": {"enabled": physics_stabilize, "iterations": 250, "fit": True},
        },
    }


def _safe_title(text: str) -> str:
    # pyvis switches to an innerHTML popup when a node title contains "href"; keep it text
    return text.replace("href", "hre\u200bf")


def _header(view: View, index_href: str | None) -> str:
    parts = ['<header class="plankg">']
    if index_href:
        parts.append(f'<p><a href="{html.escape(index_href)}">← 首页</a></p>')
    parts.append(f"<h1>{html.escape(view.title)}</h1>")
    if view.controls:
        parts.append('<form method="get">')
        for c in view.controls:
            opts = "".join(
                f'<option value="{html.escape(v)}"{" selected" if v == c.selected else ""}>'
                f"{html.escape(t)}</option>"
                for v, t in c.options
            )
            parts.append(
                f"<label>{html.escape(c.label)} "
                f'<select name="{html.escape(c.name)}">{opts}</select></label>'
            )
        parts.append('<button type="submit">更新</button></form>')
    for note in view.notes:
        parts.append(f'<p class="note">{html.escape(note)}</p>')
    if view.expand_label and view.collapsed():
        label = f"{view.expand_label}（{len(view.collapsed())}）"
        parts.append(
            f'<p><button type="button" id="plankg-expand" data-label="{html.escape(label)}" '
            f'data-close="收起">{html.escape(label)}</button> '
            f"{html.escape(view.expand_hint)}</p>"
        )
    if view.legend:
        items = "".join(
            f'<span class="swatch" style="background:{html.escape(colour)}"></span>'
            f"{html.escape(text)}"
            for colour, text in view.legend
        )
        parts.append(f'<p class="legend">图例：{items}</p>')
    parts.append("</header>")
    return "\n".join(parts)


def render_html(
    view: View,
    index_href: str | None = None,
    stabilize_limit: int = DEFAULT_STABILIZE_LIMIT,
    height: str = "78vh",
) -> str:
    """The view as one offline HTML page (see the module doc). `index_href` adds a link back
    to the index (served pages); the filter form is shown only with it too, since a page
    written to a file has no server to answer the form."""
    from pyvis.network import Network  # 0.15 s to import: only where a page is drawn

    n = len(view.nodes) - len(view.collapsed())  # what the layout has to place
    net = Network(
        height=height, width="100%", directed=view.directed, cdn_resources="in_line", heading=""
    )
    for node in view.nodes:
        extra = {"parent": node.parent, "hidden": True, "physics": False} if node.parent else {}
        net.add_node(
            node.id,
            label=node.label,
            title=_safe_title(node.title),
            color=node.color,
            size=node.size,
            shape=node.shape,
            **extra,
        )
    edge_labels = len(view.edges) <= EDGE_LABEL_LIMIT  # hundreds of labels are just noise
    for e in view.edges:
        extra = {"label": e.label} if e.label and edge_labels else {}
        net.add_edge(
            e.source,
            e.target,
            title=e.title,
            width=e.width,
            color=e.color,
            dashes=e.dashes,
            **extra,
        )
    stabilize = n <= stabilize_limit
    net.options = _options(view, stabilize, n)
    page = net.generate_html()

    page = _REMOTE_SCRIPT.sub("", page)
    page = _REMOTE_LINK.sub("", page)
    page = _PYVIS_HEADING.sub("", page)
    page = page.replace("<html>", '<!DOCTYPE html>\n<html lang="zh-CN">', 1)
    head = f"<title>{html.escape(view.title)}</title>" + _STYLE % {"fonts": CJK_FONTS}
    page = page.replace("</head>", head + "</head>", 1)
    shown = view if index_href else replace(view, controls=[])
    page = re.sub(r"<body>", lambda _: "<body>\n" + _header(shown, index_href), page, count=1)
    meta = json.dumps(
        {
            "title": view.title,
            "nodes": len(view.nodes),
            "collapsed": len(view.collapsed()),
            "aggregated": view.aggregated,
            "stabilized": stabilize,
        }
    ).replace("<", "\\u003c")
    expand = _EXPAND if view.collapsed() else ""
    page, hooked = _DRAW_CALL.subn(
        lambda m: (
            m.group(0)
            + _HOOK.format(indent=m.group(1), meta=meta)
            + expand.format(indent=m.group(1))
        ),
        page,
        count=1,
    )
    if not hooked or 'charset="utf-8"' not in page:
        raise OfflinePageError("pyvis template changed: drawGraph() call or charset not found")
    remote = remote_references(page)
    if remote:
        raise OfflinePageError(f"page still references remote resources: {remote[:3]}")
    return page


# ---------------------------------------------------------------- shared by the views
ROLE_COLOURS = {"lead": "#1f77b4", "assist": "#ff7f0e"}
ROLE_LABELS = {"lead": "牵头", "assist": "配合", "any": "全部"}
OTHER_COLOUR = "#9e9e9e"


def short(text: str, limit: int = 16) -> str:
    """Node labels stay short; the tooltip has the full text."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def filter_controls(
    store: Store, jurisdiction: str | None, plan: str | None, role: str | None = None
) -> list[Control]:
    """Jurisdiction / plan (/ role) selects for a served page's filter form."""
    plans = store.plans()
    jurisdictions = sorted({p.jurisdiction for p in plans if p.jurisdiction})
    controls = [
        Control(
            "jurisdiction",
            "辖区",
            (("", "全部"), *((j, j) for j in jurisdictions)),
            jurisdiction or "",
        ),
        Control(
            "plan",
            "方案",
            (("", "全部"), *((p.doc, f"{p.title}（{p.jurisdiction}）") for p in plans)),
            plan or "",
        ),
    ]
    if role is not None:
        controls.append(
            Control("role", "角色", tuple((k, v) for k, v in ROLE_LABELS.items()), role)
        )
    return controls


def plan_title(store: Store, plan: str | None) -> str | None:
    """`000_….txt` or its stem → 《title》 for notes; unknown plans are shown as given."""
    if plan is None:
        return None
    for p in store.plans():
        if plan in (p.doc, p.doc.removesuffix(".txt")):
            return f"《{p.title}》"
    return plan


def scope_note(jurisdiction: str | None, plan: str | None, role: str | None = None) -> str:
    """`plan` as the reader should see it (pass it through `plan_title`)."""
    bits = [f"辖区：{jurisdiction or '全部'}", f"方案：{plan or '全部'}"]
    if role is not None:
        bits.append(f"角色：{ROLE_LABELS.get(role, role)}")
    return "；".join(bits)
