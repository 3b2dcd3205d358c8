"""``fenghuo rules``: inspect Sigma rule sets."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Annotated

import typer

from fenghuo.cli.output import stdout
from fenghuo.detection import Engine

app = typer.Typer(help="Sigma rule sets.", no_args_is_help=True)


@app.command("check")
def check(
    directory: Annotated[Path, typer.Argument(exists=True, help="Rule file or folder.")],
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="List every rule that did not compile.")
    ] = False,
) -> None:
    """Compile every rule; print how many compiled and why the rest did not (grouped)."""
    engine = Engine.from_paths([directory])
    total = len(engine.rules) + len(engine.issues)
    share = 100 * len(engine.rules) / total if total else 100.0
    console = stdout()
    console.print(f"{len(engine.rules)} of {total} rules compiled ({share:.1f}%)")
    for reason, count in Counter(i.reason for i in engine.issues).most_common():
        console.print(f"{count:6d}  {reason}")
    if verbose:
        for issue in engine.issues:
            console.print(f"{issue.rule_path} {issue.rule_id or '-'}: {issue.reason}")
