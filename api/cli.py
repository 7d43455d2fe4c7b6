"""The `plankg` command: a thin typer shell over the library; each command group lives in
`api/commands/<name>.py` and registers itself here.

Errors a person can fix are mapped to exit codes in one place (`EXIT_CODES`): a domain error
from `graph/` (a name or filter that names nothing, an ambiguous name) prints its message —
Chinese first, English after — with the closest names or the candidates, and exits 2, as a
usage error does; a run that failed on its input (unreadable files, a load refused) exits 1.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import Annotated

import click
import typer
from typer.core import TyperGroup

from plankg.api.commands import COMMAND_MODULES
from plankg.api.messages import say, usage_gist
from plankg.graph.errors import Ambiguous, PlankgError, Unknown

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
EXIT_CODES: dict[type[PlankgError], int] = {Unknown: EXIT_USAGE, Ambiguous: EXIT_USAGE}


def exit_code(exc: PlankgError) -> int:
    return next((c for kind, c in EXIT_CODES.items() if isinstance(exc, kind)), EXIT_FAILED)


def report(exc: PlankgError) -> None:
    """The error and what may have been meant, on stderr."""
    zh = say("cli_error", "zh", message=exc.message("zh"))
    en = say("cli_error", "en", message=exc.message("en"))
    typer.echo(f"{zh} / {en}", err=True)
    details = exc.details()
    if details.get("closest"):
        typer.echo("  " + say("closest", names="、".join(details["closest"])), err=True)
    for c in details.get("candidates") or []:
        typer.echo(f"  {c['name']}  [{c['jurisdiction']}]", err=True)


HELP_OPTION = "显示此帮助后退出。 Show this message and exit."
USAGE_PREFIX = "用法 Usage: "


PANEL_TITLES = {  # typer's help panels (typer.rich_utils), Chinese first
    "ARGUMENTS_PANEL_TITLE": "参数 Arguments",
    "OPTIONS_PANEL_TITLE": "选项 Options",
    "COMMANDS_PANEL_TITLE": "命令 Commands",
    "DEFAULT_STRING": "[默认 default: {}]",
    "REQUIRED_LONG_STRING": "[必填 required]",
}


def _retitled(format_help):
    """A command's `format_help` that first retitles typer's panels: rich_utils is imported
    only when help is printed (it costs ~0.2 s), so it is patched then, not at start."""

    def format_chinese_first(ctx: click.Context, formatter: click.HelpFormatter) -> None:
        from typer import rich_utils

        for name, title in PANEL_TITLES.items():
            setattr(rich_utils, name, title)
        format_help(ctx, formatter)

    return format_chinese_first


def _usage_line(command: click.Command):
    """A command's `format_usage` whose line starts `用法 Usage:` (help and usage errors)."""

    def format_usage(ctx: click.Context, formatter: click.HelpFormatter) -> None:
        pieces = command.collect_usage_pieces(ctx)
        formatter.write_usage(ctx.command_path, " ".join(pieces), prefix=USAGE_PREFIX)

    return format_usage


def _help_in_chinese(command: click.Command) -> None:
    """click's own `--help` text and typer's panel titles are English; every command's help
    says them Chinese first."""
    option = command.get_help_option(click.Context(command))  # cached by click: kept
    if option is not None:
        option.help = HELP_OPTION
    command.format_help = _retitled(command.format_help)  # type: ignore[method-assign]
    command.format_usage = _usage_line(command)  # type: ignore[method-assign]
    for sub in getattr(command, "commands", {}).values():
        _help_in_chinese(sub)


# typer's own click (it may vendor one): the usage error class its parser raises
UsageError = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "UsageError")


class ChineseFirstUsageError(UsageError):
    """click's usage error (unknown option, missing argument, no such command…) said Chinese
    first: its gist from `USAGE_GISTS`, then click's own English message."""

    def __init__(self, original: UsageError) -> None:
        super().__init__(original.format_message(), original.ctx)
        self.exit_code = original.exit_code

    def format_message(self) -> str:
        return say("cli_usage", gist=usage_gist(self.message), message=self.message)


def _chinese_first_usage(exc: UsageError) -> UsageError:
    """The error typer prints: its rich panel's title and hint are retitled too (rich_utils
    is imported only now, on the error path). typer's "no arguments: show help" stays."""
    if type(exc).__name__ == "NoArgsIsHelpError" or isinstance(exc, ChineseFirstUsageError):
        return exc
    from typer import rich_utils

    rich_utils.ERRORS_PANEL_TITLE = say("cli_error_title")
    template = {"command_path": "{command_path}", "help_option": "{help_option}"}  # typer fills
    rich_utils.RICH_HELP = " ".join(say("cli_usage_hint", la, **template) for la in ("zh", "en"))
    return ChineseFirstUsageError(exc)


class PlankgGroup(TyperGroup):
    """Typer's group, with the domain errors mapped to a message and an exit code, and the
    help option worded Chinese first."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _help_in_chinese(self)

    def make_context(self, *args, **kwargs):
        try:
            return super().make_context(*args, **kwargs)
        except UsageError as exc:
            raise _chinese_first_usage(exc) from exc

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except PlankgError as exc:
            report(exc)
            raise typer.Exit(exit_code(exc)) from exc
        except UsageError as exc:
            raise _chinese_first_usage(exc) from exc


def _version() -> str:
    try:
        return version("plankg")
    except PackageNotFoundError:  # running from a checkout that was never installed
        from plankg.api.app import VERSION

        return VERSION


app = typer.Typer(
    name="plankg",
    cls=PlankgGroup,
    help="地方政府行动方案知识图谱。 Knowledge graph of Chinese local-government action plans.",
    no_args_is_help=True,
    add_completion=False,
)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"plankg {_version()}")
        raise typer.Exit()


@app.callback()
def main_options(
    show_version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_print_version,
            is_eager=True,
            help="显示版本号后退出。 Print the version and exit.",
        ),
    ] = False,
) -> None:
    """地方政府行动方案知识图谱。 Knowledge graph of Chinese local-government action plans."""


for module in COMMAND_MODULES:
    module.register(app)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
