"""The README documents every command: each has a row in the Commands table, with every option it
takes and an example of its use."""

import re
from pathlib import Path

import pytest
import typer

from gkqc.cli import app

README = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
COMMANDS = typer.main.get_command(app).commands


def _row(name: str) -> str:
    rows = [line for line in README.splitlines() if line.startswith(f"| `gkqc {name}")]
    assert len(rows) == 1, f"README 的命令表中应有且仅有一行 gkqc {name}"
    return rows[0]


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_has_a_row_with_each_option_and_an_example(name):
    row = _row(name)
    usage, *_, example = row.strip("|").split(" | ")
    options = {o for p in COMMANDS[name].params for o in p.opts if o.startswith("--")}
    assert {o for o in options if not re.search(re.escape(o) + r"\b", usage)} == set()
    assert example.strip().startswith(f"`gkqc {name}")
