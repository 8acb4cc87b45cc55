"""``python -m kdirectory``: the same as the ``kdirectory`` command."""

from kdirectory.cli import app

app()
