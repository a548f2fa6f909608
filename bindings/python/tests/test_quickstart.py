"""examples/python/quickstart.py runs and prints the shared scenario."""

from __future__ import annotations

import pathlib
import subprocess
import sys

EXAMPLE = pathlib.Path(__file__).resolve().parents[3] / "examples" / "python" / "quickstart.py"


def test_quickstart_runs() -> None:
    out = subprocess.run([sys.executable, str(EXAMPLE)], check=True, capture_output=True, text=True).stdout
    lines = out.splitlines()
    assert lines[0].startswith("total: ")
    assert int(lines[0].split()[1]) > 5
    assert lines[-1] == "error: FILTER_SYNTAX"
    assert "next page:" in lines
    first = lines[1:6]
    assert len(first) == 5 and all(len(line.split()[0]) == 32 for line in first)
