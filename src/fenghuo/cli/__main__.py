"""``python -m fenghuo.cli``: the same as the ``fenghuo`` command."""

from fenghuo.cli.main import app

app(prog_name="fenghuo")
