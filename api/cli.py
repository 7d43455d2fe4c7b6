"""The `plankg` command: a thin typer shell over the library; each command group lives in
`api/commands/<name>.py` and registers itself here."""

from __future__ import annotations

import typer

from plankg.api.commands import COMMAND_MODULES

app = typer.Typer(
    name="plankg",
    help="Knowledge graph of Chinese local-government action plans.",
    no_args_is_help=True,
    add_completion=False,
)

for module in COMMAND_MODULES:
    module.register(app)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
