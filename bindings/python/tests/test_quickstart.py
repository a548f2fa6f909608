"""examples/python/quickstart.py runs and prints the shared scenario.

bindings/python/test.sh sets PARTNERDESK_QUICKSTART_PYTHON to the interpreter of a clean venv
holding only the wheel that package.sh built, so the quick start runs against the installed
package as a user has it; without it, the interpreter running the tests is used.
"""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys

EXAMPLE = pathlib.Path(__file__).resolve().parents[3] / "examples" / "python" / "quickstart.py"
PYTHON = os.environ.get("PARTNERDESK_QUICKSTART_PYTHON", sys.executable)


def test_quickstart_runs(tmp_path: pathlib.Path) -> None:
    out = subprocess.run(
        [PYTHON, str(EXAMPLE)], check=True, capture_output=True, text=True, cwd=tmp_path
    ).stdout
    lines = out.splitlines()
    assert lines[0].startswith("total: ")
    assert int(lines[0].split()[1]) > 5
    assert lines[-1] == "error: FILTER_SYNTAX"
    assert "next page:" in lines
    first = lines[1:6]
    assert len(first) == 5 and all(len(line.split()[0]) == 32 for line in first)
    assert "freeze by ops_billing: 1 done, 0 refused" in lines
    assert "row now: frozen=account" in lines
    assert "freeze by am_000: PERMISSION_DENIED" in lines


def test_quickstart_imports_the_installed_package(tmp_path: pathlib.Path) -> None:
    code = "import partnerdesk, sys; print(partnerdesk.__file__); print(sys.prefix)"
    out = subprocess.run([PYTHON, "-c", code], check=True, capture_output=True, text=True, cwd=tmp_path)
    module, prefix = out.stdout.splitlines()
    assert pathlib.Path(module).is_relative_to(pathlib.Path(prefix)), (module, prefix)
    assert "site-packages" in pathlib.Path(module).parts
