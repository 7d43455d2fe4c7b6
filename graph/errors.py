"""The domain errors every front end shares: a name that denotes nothing, a name that denotes
several things, a filter value that names nothing. The graph layer raises them; the API
renders them (`api/errors.py`: a status, a JSON body or a page) and the CLI maps them to exit
codes (`api/cli.py`), so the three can never word or classify the same mistake differently.

Messages are data (`MESSAGES`, Chinese first, English after), keyed by the error's `code`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal, Protocol

Lang = Literal["zh", "en", "both"]

# code -> (中文, English); `{name}`-style fields come from the error's params
MESSAGES: dict[str, tuple[str, str]] = {
    "unknown_agency": ("没有找到单位“{name}”", "no agency called '{name}'"),
    "unknown_park": ("没有找到园区“{name}”", "no park called '{name}'"),
    "unknown_plan": ("没有找到方案“{name}”", "no plan called '{name}'"),
    "unknown_task": ("没有编号为“{name}”的任务", "no task with id '{name}'"),
    "unknown_jurisdiction": ("没有找到辖区“{name}”", "no jurisdiction called '{name}'"),
    "ambiguous_agency": (
        "“{name}”对应多个辖区的单位，请指定辖区（jurisdiction）",
        "'{name}' names agencies in several jurisdictions: give a jurisdiction",
    ),
    "ambiguous_park": (
        "“{name}”是多个辖区的园区，请指定辖区（jurisdiction）",
        "'{name}' is a park in several jurisdictions: give a jurisdiction",
    ),
    "bad_filter": (
        "筛选条件 {field}=“{value}” 不对应任何{kind_zh}",
        "the filter {field}='{value}' names no {kind}",
    ),
}
KIND_ZH = {
    "agency": "单位",
    "park": "园区",
    "plan": "方案",
    "task": "任务",
    "jurisdiction": "辖区",
}
SEPARATOR = " / "


def render(code: str, params: Mapping[str, Any], lang: Lang = "both") -> str:
    """The message for `code`: Chinese, English, or both (Chinese first)."""
    zh, en = MESSAGES.get(code, ("{message}", "{message}"))
    values = _SafeDict(params)
    zh_text, en_text = zh.format_map(values), en.format_map(values)
    if lang == "zh":
        return zh_text
    if lang == "en":
        return en_text
    return zh_text + SEPARATOR + en_text


class _SafeDict(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


class PlankgError(Exception):
    """Base of the domain errors: a stable `code` and the `params` its message needs.
    `details()` is what a client may act on (closest names, candidates)."""

    code = "error"

    def __init__(self, **params: Any) -> None:
        self.params = params
        super().__init__(render(self.code, params, "both"))

    def message(self, lang: Lang = "both") -> str:
        return render(self.code, self.params, lang)

    def details(self) -> dict[str, Any]:
        return {}


class Candidate(Protocol):
    """One thing an ambiguous name may mean (an `AgencyInfo`, a `ParkInfo`)."""

    @property
    def name(self) -> str: ...
    @property
    def jurisdiction(self) -> str: ...
    @property
    def iri(self) -> str: ...


class Unknown(PlankgError, LookupError):
    """`name` denotes no `kind` (agency, park, plan, task, jurisdiction); `closest` are the
    known names nearest to it, best first."""

    def __init__(self, kind: str, name: str, closest: Sequence[str] = ()) -> None:
        self.kind, self.name, self.closest = kind, name, tuple(closest)
        super().__init__(name=name)

    @property
    def code(self) -> str:  # type: ignore[override]
        return f"unknown_{self.kind}"

    def details(self) -> dict[str, Any]:
        return {"name": self.name, "closest": list(self.closest)}


class Ambiguous(PlankgError, LookupError):
    """`name` denotes several things of `kind` (an agency name used in two jurisdictions)."""

    def __init__(self, kind: str, name: str, candidates: Sequence[Candidate]) -> None:
        self.kind, self.name, self.candidates = kind, name, tuple(candidates)
        super().__init__(name=name)

    @property
    def code(self) -> str:  # type: ignore[override]
        return f"ambiguous_{self.kind}"

    def details(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "candidates": [
                {"name": c.name, "jurisdiction": c.jurisdiction, "iri": c.iri}
                for c in self.candidates
            ],
        }


class BadFilter(Unknown):
    """The filter `field` (a query parameter or CLI option) has a `value` that names no
    `kind`: answering it would give an empty list that looks like a true "none"."""

    def __init__(
        self, field: str, value: str, closest: Sequence[str] = (), kind: str | None = None
    ) -> None:
        self.field, self.value = field, value
        super().__init__(kind or field, value, closest)
        self.params = {
            "name": value,
            "field": field,
            "value": value,
            "kind": self.kind,
            "kind_zh": KIND_ZH.get(self.kind, self.kind),
        }
        self.args = (render("bad_filter", self.params, "both"),)

    @property
    def code(self) -> str:  # type: ignore[override]
        return f"unknown_{self.kind}"

    def message(self, lang: Lang = "both") -> str:
        return render("bad_filter", self.params, lang)

    def details(self) -> dict[str, Any]:
        return {"field": self.field, "value": self.value, "closest": list(self.closest)}
