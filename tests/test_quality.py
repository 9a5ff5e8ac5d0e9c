"""Lint and type checks as part of the test run, so that CI (`make test`) catches them like any failing test.

Ruff uses the repo's `[tool.ruff]` config (line length 110, `print` banned by T20 outside bench/); mypy the
`[tool.mypy]` one (strict), on the four rooms: services/, components/, dashboards/ and api/.
Both run from the virtualenv that runs the tests (`sys.executable -m ...`), never a tool from somewhere else on PATH.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def run_tool(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=600, check=False
    )


@pytest.mark.parametrize(
    "command",
    [
        pytest.param(("ruff", "check", "."), id="ruff"),
        pytest.param(("mypy", "services", "components", "dashboards", "api"), id="mypy"),
    ],
)
def test_tool_passes(command: tuple[str, ...]) -> None:
    done = run_tool(*command)
    assert done.returncode == 0, f"`{' '.join(command)}` failed:\n{done.stdout}{done.stderr}"
