"""Start-up as an operator meets it: bad configuration stops with one clear line, not a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from app import create_app
from services.config import Settings

ROOT = Path(__file__).resolve().parent.parent


def _start(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("ONESCREEN_")}
    clean.update(env)
    return subprocess.run([sys.executable, str(ROOT / "app.py")], cwd=tmp_path, env=clean, capture_output=True,
                          text=True, timeout=60)


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"ONESCREEN_DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none"},
         "cannot use the database postgresql+psycopg://nobody@127.0.0.1:1/none"),
        ({"ONESCREEN_REDIS_URL": "redis://127.0.0.1:1/0"}, "cannot reach Redis at redis://127.0.0.1:1/0"),
        ({"ONESCREEN_CITY": "/nowhere/city.geojson"}, "city GeoJSON not found at /nowhere/city.geojson"),
        ({"ONESCREEN_TIMEZONE": "Mars/Olympus"}, "unknown time zone"),
    ],
)
def test_bad_configuration_stops_with_one_clear_line(tmp_path, env, expected):
    result = _start(tmp_path, ONESCREEN_SIMULATE="false", **env)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("onescreen: ") and expected in lines[0]
    assert "Traceback" not in result.stderr


def test_two_apps_in_one_process_both_have_the_wall_callbacks(tmp_path, redis_url):
    """Dash's process-wide callback list is taken by the first app: page modules must re-register for each."""
    apps = [create_app(Settings(database_url=f"sqlite:///{tmp_path / f'{n}.db'}", redis_url=redis_url,
                                simulate=False, _env_file=None)) for n in range(2)]
    for app in apps:
        outputs = " ".join(app.callback_map)
        assert "kpi-strip.children" in outputs and "heartbeat-seen.data" in outputs
        assert any(spec.get("persistent") for spec in app._callback_list)
        app.server.state.runtime.close()
