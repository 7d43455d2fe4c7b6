"""Chinese first: every message a person reads — the message tables (API error bodies and CLI
lines), the visible text of every page the web app renders (pages and error pages, in every
state), the CLI's help and the literal text its commands print — puts Chinese before English.

The rule, per line of text: once the technical tokens are taken out — `{placeholders}`,
`code`, URLs, tags, option names (`--out`, `-o`), words with a digit or one of `_ . / $ = :`
inside (file names, paths, PLANKG_API_KEY, key=value), acronyms and CamelCase (SPARQL, XLSX,
GraphML) and the names of programs and commands (TECH_WORDS) — a line that still has an
English word (two letters or more) must have a Chinese character before it. A line may be
Chinese alone; a message's Chinese half must hold Chinese (or be a bare placeholder).
"""

from __future__ import annotations

import ast
import html
import re
from pathlib import Path

import click
import pytest
import typer
from conftest import PLANS_DIR, ROOT
from fastapi.testclient import TestClient

from plankg.api import messages
from plankg.graph import errors as domain

CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
TECH = re.compile(
    r"\{[^}]*\}|`[^`]*`|https?://\S+|<[^>]*>|(?<![\w-])--?[a-z][\w-]*"
    r"|\S*[\d_./$=:\\]\S*|\b[A-Z]+[a-z]*[A-Z]\w*\b|\b[A-Z]{2,}\b"
)
TECH_WORDS = {
    "plankg", "pyoxigraph", "oxigraph", "ingest", "serve", "load", "query", "export",
    "extract", "eval", "viz", "validate", "Cypher", "Turtle", "Bolt", "jsonl", "table",
    "neo4j", "leads", "assists", "agency", "park", "parks", "csv", "xlsx", "png", "svg",
    "graphml", "gexf", "matrix", "ledger", "indicators", "conflicts", "lead", "assist",
    "any", "co", "memory", "tqdm",
}  # fmt: skip
WORD = re.compile(r"[A-Za-z][A-Za-z'-]*[A-Za-z]")


def first_english_word(line: str) -> re.Match[str] | None:
    """The first English word of `line` once technical tokens are blanked out."""
    blanked = TECH.sub(lambda m: " " * len(m.group()), line)
    for m in WORD.finditer(blanked):
        if m.group() not in TECH_WORDS:
            return m
    return None


def chinese_first(line: str) -> bool:
    word = first_english_word(line)
    if word is None:
        return True
    cjk = CJK.search(line)
    return cjk is not None and cjk.start() < word.start()


def test_the_rule_itself():
    """What passes and what does not, so the rule cannot silently accept everything."""
    for ok in (
        "没有找到单位“{name}” / no agency called '{name}'",
        "请先运行 plankg ingest / run plankg ingest first",
        "plankg 服务地址 http://{host}:{port}",
        "{formats}",
        "PLANKG_API_KEY=… 000_99d16d149e72ffbe.txt --out FILE",
        "管理密钥 API key",
    ):
        assert chinese_first(ok), ok
    for bad in ("no such address: {path}", "Ledger CSV", "File to write. 输出文件。", "Error"):
        assert not chinese_first(bad), bad
    page = '<p>台账\n<span class="en">Ledger</span></p><td>Error</td><input placeholder="find">'
    assert visible_lines(page) == ["台账 Ledger", "Error", "find"]


# ---------------------------------------------------------------- the message tables
@pytest.mark.parametrize(
    "code",
    sorted({**domain.MESSAGES, **messages.MESSAGES, **{str(s): 0 for s in messages.STATUS_TITLES}}),
)
def test_every_message_is_chinese_first(code):
    if code.isdigit():
        zh, en = messages.STATUS_TITLES[int(code)]
    else:
        zh, en = {**domain.MESSAGES, **messages.MESSAGES}[code]
    bare = re.fullmatch(r"\{\w+\}", zh) is not None  # a message that passes another through
    assert bare or CJK.search(zh), f"{code}: the Chinese half has no Chinese: {zh!r}"
    assert chinese_first(zh), f"{code}: English before Chinese in {zh!r}"
    assert chinese_first(messages.say(code, **_params(zh + en))) if not code.isdigit() else True


def _params(template: str) -> dict[str, str]:
    return {name: "x.txt" for name in re.findall(r"\{(\w+)\}", template)}


# ---------------------------------------------------------------- the pages
BLOCK = re.compile(
    r"</?(?:p|li|td|th|tr|h[1-6]|dt|dd|div|section|header|nav|main|form|label|button|option|"
    r"title|blockquote|table|thead|tbody|ul|ol|dl|br|a class=\"button\")\b[^>]*>"
)


def visible_lines(page: str) -> list[str]:
    """The text a reader sees, one line per block element; placeholders and titles too."""
    body = re.sub(r"<(script|style)\b.*?</\1>", "", page, flags=re.S)
    body = re.sub(r"\s+", " ", body)  # the source's line breaks are not the reader's
    extra = re.findall(r'(?:placeholder|title|aria-label)="([^"]*)"', body)
    body = BLOCK.sub("\n", body)
    text = html.unescape(re.sub(r"<[^>]+>", "", body))
    lines = [re.sub(r"\s+", " ", x).strip() for x in text.splitlines() + extra]
    return [x for x in lines if x]


KEY = "a-language-test-key"
HELD_BACK = "002_8aa6bc9b8e9b2c75.txt"


@pytest.fixture(scope="module")
def client(tmp_path_factory) -> TestClient:
    from plankg.api.app import Settings, create_app
    from plankg.api.library import data_library
    from plankg.graph.embedded import EmbeddedStore
    from plankg.ingest.pipeline import ingest

    data = tmp_path_factory.mktemp("lang")
    ingest([p for p in sorted(PLANS_DIR.glob("*.txt")) if p.name != HELD_BACK], data)
    store = EmbeddedStore.open(data)
    app = create_app(store, store.rdf, settings=Settings(api_key=KEY), library=data_library(data))
    return TestClient(app)


def _pages(client: TestClient) -> dict[str, str]:
    """Every page and page state the web app renders, by a name for the failure message."""
    html_ = {"Accept": "text/html"}
    get = {
        "home": "/",
        "agency": "/agency/科工信局",
        "agency-plan": "/agency/县发改局?plan=000_99d16d149e72ffbe.txt",
        "task": "/task/000_99d16d149e72ffbe-t001",
        "search-several": "/search?q=自然资源局",
        "search-none": "/search?q=科工信息局",
        "404-agency": "/agency/科工信息局",
        "409-agency": "/agency/自然资源局",
        "404-filter": "/agency/科工信局?jurisdiction=平江",
        "404-task": "/task/nope",
        "422": "/agency/" + "科" * 201,
        "404-address": "/no/such/page",
        "upload-login": "/upload",
    }
    pages = {name: client.get(url, headers=html_).text for name, url in get.items()}
    pages["405"] = client.put("/agency/科工信局", headers=html_).text
    pages["upload-wrong-key"] = client.post("/login", data={"key": "wrong"}).text
    client.post("/login", data={"key": KEY})
    ready = client.get("/upload").text
    pages["upload-ready"] = ready
    csrf = re.search(r'name="csrf" value="([^"]+)"', ready).group(1)
    content = (PLANS_DIR / HELD_BACK).read_bytes()
    files = {"file": (HELD_BACK, content, "text/plain")}
    preview = client.post("/upload/preview", files=files, data={"csrf": csrf}).text
    pages["upload-preview"] = preview
    bad = {"file": ("x.exe", b"MZ", "application/octet-stream")}
    pages["upload-bad-type"] = client.post("/upload/preview", files=bad, data={"csrf": csrf}).text
    pages["upload-expired"] = client.post("/upload/add", data={"csrf": csrf, "draft": "x"}).text
    pages["upload-stale-form"] = client.post("/upload/add", data={"csrf": "old"}).text
    draft = re.search(r'name="draft" value="([^"]+)"', preview).group(1)
    pages["upload-added"] = client.post("/upload/add", data={"csrf": csrf, "draft": draft}).text
    client.cookies.clear()
    return pages


def test_every_line_of_every_page_is_chinese_first(client):
    from plankg.api.app import Settings, create_app

    pages = _pages(client)
    assert len(pages) >= 20
    store = client.app.state.plankg.store
    disabled = create_app(store, None, settings=Settings())
    pages["upload-disabled"] = TestClient(disabled).get("/upload").text
    read_only = create_app(store, None, settings=Settings(api_key=KEY))  # no library
    pages["upload-read-only"] = TestClient(read_only).get("/upload").text
    assert "上传不可用" in pages["upload-read-only"] and "上传已停用" in pages["upload-disabled"]
    assert 'id="added"' in pages["upload-added"] and 'id="preview"' in pages["upload-preview"]
    english_only = [
        f"{name}: {line!r}"
        for name, page in pages.items()
        for line in visible_lines(page)
        if not chinese_first(line)
    ]
    assert not english_only, "\n".join(english_only)
    for name, page in pages.items():  # the rule saw real text: each page has Chinese
        assert CJK.search(" ".join(visible_lines(page))), name


# ---------------------------------------------------------------- the CLI
def _commands(group: click.Command, path: str = "plankg"):
    yield path, group
    for name, sub in getattr(group, "commands", {}).items():
        yield from _commands(sub, f"{path} {name}")


def test_cli_help_is_chinese_first():
    from plankg.api.cli import app

    command = typer.main.get_command(app)
    checked, found = 0, []
    for path, cmd in _commands(command):
        helper = cmd.get_help_option(click.Context(cmd))
        texts = [("help", cmd.help or ""), ("--help", helper.help if helper else "")] + [
            (p.name or "", getattr(p, "help", None) or "") for p in cmd.params
        ]
        for where, text in texts:
            if where == "help" and not text and path != "plankg":
                pytest.fail(f"{path} has no help")
            lines = [x.strip() for x in text.splitlines() if x.strip()]
            if lines and not chinese_first(lines[0]):
                found.append(f"{path} {where}: {text!r}")
            checked += 1
    assert not found, "\n".join(found)
    assert checked > 60
    from typer.testing import CliRunner

    for args in (["export", "--help"], ["viz"], []):  # typer's panels, as printed
        out = CliRunner().invoke(app, args, terminal_width=100).output
        assert "选项 Options" in out and "显示此帮助后退出" in out, args
        assert not re.search(r"─ (Options|Arguments|Commands) ─", out), args


def _echo_literals(tree: ast.AST):
    """The literal text of every typer.echo(...) argument (f-string parts included)."""
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "echo"
            and node.args
        ):
            arg = node.args[0]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                yield node.lineno, arg.value
            elif isinstance(arg, ast.JoinedStr):
                parts = [v.value if isinstance(v, ast.Constant) else "{x}" for v in arg.values]
                yield node.lineno, "".join(parts)


def test_what_the_cli_prints_is_chinese_first():
    """Literal text in the commands' echo calls (the rest goes through the message table)."""
    found = []
    for path in sorted((ROOT / "api").glob("cli.py")) + sorted(
        (ROOT / "api/commands").glob("*.py")
    ):
        for line, text in _echo_literals(ast.parse(path.read_text("utf-8"))):
            if not chinese_first(text):
                found.append(f"{Path(path).name}:{line}: {text!r}")
    assert not found, "\n".join(found)


@pytest.mark.parametrize(
    "args, gist",
    [
        (["ingest", "--nope"], "没有这个选项"),
        (["nosuch"], "没有这个命令"),
        (["extract"], "缺少参数"),
        (["serve", "--port", "abc"], "取值无效"),
    ],
)
def test_usage_errors_are_chinese_first(args, gist):
    """click's own usage errors (typer prints them in a panel): the usage line, the hint and
    the message each say Chinese first, then click's English; the exit code stays 2."""
    from typer.testing import CliRunner

    from plankg.api.cli import app

    result = CliRunner().invoke(app, args, env={"COLUMNS": "200"})  # rich wraps at COLUMNS
    text = result.output
    assert result.exit_code == 2, text
    lines = [ln.strip(" │╭╮╰╯─") for ln in text.splitlines()]
    lines = [ln for ln in lines if ln.strip()]
    assert any(gist in ln for ln in lines), text
    assert lines and all(chinese_first(ln) for ln in lines), text
