"""What the API and the CLI say to a person, as data: code -> (中文, English), Chinese first.

Domain errors (unknown / ambiguous names, bad filters) have their table in `graph/errors.py`;
this one holds what only the front ends say (keys, limits, routes, the CLI's status lines).
`say(code, lang, **params)` renders either table.
"""

from __future__ import annotations

from typing import Any

from plankg.graph.errors import MESSAGES as DOMAIN_MESSAGES
from plankg.graph.errors import Lang, render

MESSAGES: dict[str, tuple[str, str]] = {
    # HTTP
    "admin_disabled": (
        "修改功能未开启：请在服务器上设置 PLANKG_API_KEY",
        "disabled: set PLANKG_API_KEY on the server to enable changes",
    ),
    "bad_api_key": ("缺少或错误的 X-API-Key 请求头", "missing or wrong X-API-Key header"),
    "read_only_store": (
        "此存储不能通过接口修改（只读）",
        "disabled: this store is read-only through the API",
    ),
    "body_too_large": (
        "请求体超过 {limit} MiB 的上限",
        "request body larger than the {limit} MiB limit",
    ),
    "not_found": ("没有这个地址：{path}", "no such address: {path}"),
    "method_not_allowed": (
        "{path} 不支持 {method} 方法（可用：{allow}）",
        "{method} is not allowed on {path} (allowed: {allow})",
    ),
    "bad_request": ("请求格式有误：{reason}", "malformed request: {reason}"),
    "invalid_request": ("请求参数有误，请检查参数", "invalid request: check the parameters"),
    "internal": (
        "服务器内部错误，详情见服务器日志",
        "internal error: the server log has the details",
    ),
    "header_too_large": (
        "请求头超过 {limit} KiB 的上限",
        "request headers larger than the {limit} KiB limit",
    ),
    "overloaded": ("服务器繁忙，请稍后再试", "the server is busy: try again shortly"),
    "plan_conflict": ("无法添加该方案：{reason}", "the plan was not added: {reason}"),
    "upload_too_large": (
        "方案超出上传限制：{reason}",
        "the plan is over an upload limit: {reason}",
    ),
    "bad_upload": ("无法添加该方案：{reason}", "the plan was not added: {reason}"),
    "bad_export": ("无法按此要求导出：{reason}", "cannot export as asked: {reason}"),
    "no_rdf": ("此服务器没有加载 RDF 图谱", "this server has no RDF graph loaded"),
    "no_cypher": ("只有 Neo4j 存储支持 /cypher", "/cypher needs the Neo4j store"),
    "error": ("{message}", "{message}"),
    "sparql_update_refused": (
        "只读接口：不接受 SPARQL 更新",
        "read-only endpoint: SPARQL updates are not accepted",
    ),
    "sparql_dataset_fixed": (
        "不支持 `{name}`：数据集是固定的（所有方案的图）",
        "`{name}` is not supported: the dataset is fixed (every plan's graph)",
    ),
    "sparql_no_query": (
        "请在 `query` 参数中给出 SPARQL 查询（或用 POST 提交）",
        "give the SPARQL query in `query` (or POST it)",
    ),
    "sparql_not_utf8": ("查询不是 UTF-8 编码：{reason}", "the query is not UTF-8: {reason}"),
    "sparql_post_type": (
        "请以 application/sparql-query 或 application/x-www-form-urlencoded（query=…）提交查询",
        "POST the query as application/sparql-query or application/x-www-form-urlencoded (query=…)",
    ),
    "not_acceptable": ("没有 Accept 允许的结果格式：{formats}", "{formats}"),
    "query_failed": ("查询未执行：{reason}", "{reason}"),
    "cypher_busy": (
        "在 {timeout} 秒期限内所有 Cypher 查询名额都被占用，请稍后再试",
        "every Cypher slot was busy for the {timeout} s deadline; try again shortly",
    ),
    # the upload page
    "page_wrong_key": ("密钥不正确", "wrong key"),
    "page_form_expired": ("表单已过期，请重试", "the form expired: try again"),
    "page_log_in_first": ("请先登录", "log in first"),
    "page_file_type": (
        "{name}：不支持的文件类型，请选择 {allowed} 文件",
        "{name}: unsupported file type; choose a {allowed} file",
    ),
    "page_unreadable": (
        "{name}：无法读取（{reason}）",
        "{name}: could not read the file ({reason})",
    ),
    "page_preview_expired": (
        "预览已过期，请重新选择文件",
        "the preview expired: choose the file again",
    ),
    # CLI
    "cli_error": ("错误：{message}", "error: {message}"),
    "data_missing": (
        "数据目录 {path} 中没有图谱：请先运行 plankg ingest",
        "no graph in {path}: run plankg ingest first",
    ),
    "port_in_use": (
        "无法监听 {host}:{port}：{reason}（端口被占用？换一个 --port）",
        "cannot listen on {host}:{port}: {reason} (port in use? try another --port)",
    ),
    "serving": (
        "plankg 服务地址 http://{host}:{port}（接口文档：http://{host}:{port}/docs）",
        "Serving plankg on http://{host}:{port}  (API docs: http://{host}:{port}/docs)",
    ),
    "neo4j_uri_missing": (
        "--store neo4j 需要 --neo4j-uri 或环境变量 NEO4J_URI",
        "--store neo4j needs --neo4j-uri or NEO4J_URI",
    ),
    "closest": ("相近的名称：{names}", "closest: {names}"),
    "cli_usage": ("命令行用法有误：{gist}", "{message}"),
    "cli_usage_hint": (
        "运行 [blue]'{command_path} {help_option}'[/] 查看帮助。",
        "Try [blue]'{command_path} {help_option}'[/] for help.",
    ),
    "cli_error_title": ("错误", "Error"),
    "file_error": ("错误 error: {message}", "error: {message}"),
    "file_warning": ("警告 warning: {message}", "warning: {message}"),
    "wrote_graph": ("已写入 {path}（{fmt}）", "wrote {path} ({fmt})"),
    "wrote_files": ("已写入 {count} 个 CSV 文件到 {path}", "wrote {count} CSV files to {path}"),
    "wrote": ("已写入 {path}", "wrote {path}"),
    "wrote_index": ("已写入 {path}（服务索引）", "wrote {path} (serving index)"),
    "nothing_ingested": ("没有能导入的方案", "no plan could be ingested"),
    "conforms": (
        "符合 SHACL 约束：{triples} 个三元组，0 处违规",
        "conforms: {triples} triples, 0 violations",
    ),
    "does_not_conform": (
        "不符合 SHACL 约束：{violations} 处违规",
        "does not conform: {violations} violations",
    ),
    "load_target_missing": (
        "请给出 --neo4j URI（或 NEO4J_URI）、--cypher-out 或 --csv-out",
        "give --neo4j URI (or NEO4J_URI), --cypher-out or --csv-out",
    ),
    "load_failed": ("导入 {uri} 失败：{reason}", "loading into {uri} failed: {reason}"),
    "loaded": (
        "已导入 {uri}：{nodes} 个节点（{nodes_s} 秒）、{rels} 条关系（{rels_s} 秒），"
        "{tx} 个事务（共 {took} 秒）",
        "loaded {nodes} nodes ({nodes_s} s) and {rels} relationships ({rels_s} s) into {uri} "
        "in {tx} transactions ({took} s)",
    ),
    "wrote_page": (
        "已写入 {path}（{kib} KB，可离线打开）",
        "wrote {path} ({kib} KB, opens offline)",
    ),
    "wrote_file": ("已写入 {path}（{media}，{size} 字节）", "wrote {path} ({media}, {size} bytes)"),
    "candidates": ("可能是：{names}", "candidates: {names}"),
}

# the title of an error page, by HTTP status (`status_title`)
STATUS_TITLES: dict[int, tuple[str, str]] = {
    400: ("请求有误", "Bad request"),
    401: ("需要管理密钥", "Key required"),
    403: ("不允许此操作", "Not allowed"),
    404: ("没有找到", "Not found"),
    405: ("不支持此方法", "Method not allowed"),
    409: ("名称不唯一", "Ambiguous name"),
    410: ("已过期", "Expired"),
    413: ("请求过大", "Too large"),
    422: ("参数有误", "Invalid request"),
    431: ("请求头过大", "Headers too large"),
    500: ("服务器内部错误", "Internal error"),
    503: ("服务器繁忙", "Server busy"),
}

_DUPLICATES = MESSAGES.keys() & DOMAIN_MESSAGES.keys()
assert not _DUPLICATES, f"message codes defined twice: {_DUPLICATES}"
ALL_MESSAGES = {**DOMAIN_MESSAGES, **MESSAGES}


# click's usage errors are English (click's own text): each gets its gist in Chinese first,
# found by the English phrase it contains (first match wins; the last row is the fallback)
USAGE_GISTS: tuple[tuple[str, str], ...] = (
    ("No such option", "没有这个选项"),
    ("No such command", "没有这个命令"),
    ("Missing argument", "缺少参数"),
    ("Missing option", "缺少必填选项"),
    ("requires an argument", "选项缺少取值"),
    ("unexpected extra argument", "多余的参数"),
    ("Invalid value", "取值无效"),
    ("", "请查看帮助"),
)


def usage_gist(message: str) -> str:
    """The Chinese gist of one of click's usage error messages."""
    return next(zh for phrase, zh in USAGE_GISTS if phrase in message)


def say(code: str, lang: Lang = "both", **params: Any) -> str:
    """The message `code` with `params` filled in, Chinese first unless `lang` says."""
    if code in MESSAGES:
        zh, en = MESSAGES[code]
        values = {k: v for k, v in params.items()}
        if lang == "zh":
            return zh.format(**values)
        if lang == "en":
            return en.format(**values)
        zh_text, en_text = zh.format(**values), en.format(**values)
        return zh_text if zh_text == en_text else zh_text + " / " + en_text
    return render(code, params, lang)


def status_title(status: int) -> tuple[str, str]:
    """(中文, English) title of an error page for an HTTP status."""
    return STATUS_TITLES.get(status, ("出错了", "Error"))


def file_line(kind: str, text: object) -> str:
    """`错误 error: …` / `警告 warning: …` before a message that comes in one language (a file's
    reading error, an extraction warning)."""
    return MESSAGES["file_error" if kind == "error" else "file_warning"][0].format(message=text)


def error_line(code: str, **params: Any) -> str:
    """One CLI error line: `错误：… / error: …`."""
    zh = say("cli_error", "zh", message=say(code, "zh", **params))
    en = say("cli_error", "en", message=say(code, "en", **params))
    return zh + " / " + en


def language(accept_language: str | None) -> Lang:
    """`Accept-Language` → which half of a message: English when English is preferred to
    Chinese, Chinese alone when Chinese is asked for, both (Chinese first) otherwise."""
    best: tuple[float, str] | None = None
    for part in (accept_language or "").split(","):
        tag, _, q = part.strip().partition(";q=")
        tag = tag.strip().lower()
        try:
            weight = float(q) if q else 1.0
        except ValueError:
            continue
        primary = tag.split("-")[0]
        if primary in ("zh", "en") and (best is None or weight > best[0]):
            best = (weight, primary)
    if best is None:
        return "both"
    return "en" if best[1] == "en" else "zh"
