"""The folder rules of DESIGN.md, checked on every test run so that a violation fails CI, not a review.

- `services/` (the domain) imports nothing of Dash or Plotly, and nothing from the UI rooms above it.
- `components/` (pure builders) imports no `services`, no database and no Redis.
- `dashboards/` and `api/` reach the domain only through its faces (`services.<domain>`, never
  `services.<domain>.<module>`), and `dashboards/` holds no SQL (no `sqlalchemy` import).
- No module holds a Redis client, an engine or a cache at module level: the runtime built by `create_app` owns them.
- Importing the app or any package module creates nothing: no files, no engine, no Redis client, no app, no
  thread, no socket, no logging set-up. Only `create_app` / `main` do that.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

SERVICES_FORBIDDEN = {"dash", "plotly", "dash_bootstrap_components", "components", "dashboards", "app"}
COMPONENTS_FORBIDDEN = {
    "services",
    "sqlalchemy",
    "redis",
    "fakeredis",
    "psycopg",
    "alembic",
    "dashboards",
    "app",
}


def _module_parts(path: Path, root: Path) -> list[str]:
    """`services/stream.py` -> ["services", "stream"]; a package's `__init__.py` names the package."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    return parts[:-1] if parts[-1] == "__init__" else parts


def imported_modules(path: Path, root: Path = ROOT) -> list[tuple[int, str]]:
    """Every module a file imports, as (line, absolute dotted name), relative imports resolved.

    Imports under `if TYPE_CHECKING:` count too: a type-only import still ties the rooms together.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = _module_parts(path, root)
    if path.name != "__init__.py":
        package = package[:-1]
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0:
                found.append((node.lineno, node.module or ""))
                continue
            base = package[: len(package) - (node.level - 1)] if node.level > 1 else package
            if node.module:
                found.append((node.lineno, ".".join([*base, node.module])))
            else:
                found.extend((node.lineno, ".".join([*base, alias.name])) for alias in node.names)
    return found


def violations(folder: str, forbidden: set[str]) -> list[str]:
    """Lines `path:line imports name` for each import of a forbidden top-level package (or a `dash_*` one)."""
    paths = sorted((ROOT / folder).rglob("*.py"))
    assert paths, f"no Python files under {folder}/: the check would pass vacuously"
    bad = []
    for path in paths:
        for line, name in imported_modules(path):
            top = name.split(".")[0]
            if top in forbidden or (folder == "services" and top.startswith("dash")):
                bad.append(f"{path.relative_to(ROOT)}:{line} imports {name}")
    return bad


def test_the_import_scanner_sees_relative_and_aliased_imports(tmp_path: Path) -> None:
    """Guards the guard: the scanner must catch the ways a forbidden import can be spelled."""
    probe = tmp_path / "components" / "sub" / "probe.py"
    probe.parent.mkdir(parents=True)
    probe.write_text(
        "import redis.asyncio as r\nfrom services.alerts.stream import publish\nfrom .. import theme\n"
        "from .helpers import x\n"
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from sqlalchemy import Engine\n",
        encoding="utf-8",
    )
    names = [name for _, name in imported_modules(probe, root=tmp_path)]
    assert names == [
        "redis.asyncio",
        "services.alerts.stream",
        "components.theme",
        "components.sub.helpers",
        "typing",
        "sqlalchemy",
    ]


def test_services_import_no_dash_or_plotly() -> None:
    bad = violations("services", SERVICES_FORBIDDEN)
    assert not bad, "services/ is the domain and must not depend on the UI:\n" + "\n".join(bad)


def test_components_import_no_services_database_or_redis() -> None:
    bad = violations("components", COMPONENTS_FORBIDDEN)
    assert not bad, "components/ builds layout from plain data, with no IO:\n" + "\n".join(bad)


DOMAINS = {"alerts", "events", "approvals", "indicators", "store", "platform", "demo", "auth", "ingest", "sources",
           "hotline", "plans"}


def reaches_past_a_face(name: str) -> bool:
    """`services.alerts.persist` reaches past the alerts face; `services.alerts` and kernel modules do not."""
    parts = name.split(".")
    return len(parts) > 2 and parts[0] == "services" and parts[1] in DOMAINS


def face_violations(root: Path, folders: tuple[str, ...]) -> list[str]:
    bad = []
    for folder in folders:
        for path in sorted((root / folder).rglob("*.py")):
            bad += [f"{path.relative_to(root)}:{line} imports {name}"
                    for line, name in imported_modules(path, root) if reaches_past_a_face(name)]
    return bad


def sql_violations(root: Path) -> list[str]:
    return [f"{path.relative_to(root)}:{line} imports {name}"
            for path in sorted((root / "dashboards").rglob("*.py"))
            for line, name in imported_modules(path, root) if name.split(".")[0] == "sqlalchemy"]


# A module-level name bound to a call that opens a client or a resource (`R = redis.Redis(...)`,
# `_cache = TTLCache(...)`, `engine = create_engine(...)`), or declared to hold one (`_clients: dict[..., Redis] = {}`,
# `_default: QueryCache | None = None`). Constants and dataclass instances are fine.
RESOURCE_TYPES = ("Redis", "QueryCache", "Engine", "sessionmaker", "Limiter")
RESOURCE_CALLS = {"Redis", "StrictRedis", "from_url", "FakeRedis", "FakeAsyncRedis", "ConnectionPool",
                  "create_engine", "make_engine", "make_redis", "make_async_redis", "TTLCache", "LRUCache",
                  "QueryCache", "RedisQueryCache"}


def module_resources(root: Path, folders: tuple[str, ...]) -> list[str]:
    bad = []
    for folder in folders:
        for path in sorted((root / folder).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in tree.body:
                if isinstance(node, ast.AnnAssign) and any(kind in ast.unparse(node.annotation)
                                                           for kind in RESOURCE_TYPES):
                    bad.append(f"{path.relative_to(root)}:{node.lineno} holds a {ast.unparse(node.annotation)}")
                    continue
                value = node.value if isinstance(node, (ast.Assign, ast.AnnAssign)) else None
                if isinstance(value, ast.Call):
                    func = value.func
                    called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                    if called in RESOURCE_CALLS:
                        bad.append(f"{path.relative_to(root)}:{node.lineno} builds {called}(...) at import")
    return bad


def test_the_face_and_resource_scanners_catch_planted_violations(tmp_path: Path) -> None:
    """Guards the guards: a page reaching into a domain module, SQL in a page and a module-level client are caught."""
    (tmp_path / "dashboards").mkdir()
    (tmp_path / "api").mkdir()
    (tmp_path / "dashboards" / "page.py").write_text(
        "from services.alerts.persist import run\nfrom services.alerts import publish\nfrom services import audit\n"
        "from sqlalchemy import select\nimport redis\nCLIENT = redis.Redis.from_url('redis://x')\n"
        "_cache = TTLCache(10, 5)\nLIMIT = int('3')\n_clients: dict[int, aioredis.Redis] = {}\n", encoding="utf-8")
    (tmp_path / "api" / "route.py").write_text("import services.events.queries as q\n", encoding="utf-8")
    assert face_violations(tmp_path, ("dashboards", "api")) == [
        "dashboards/page.py:1 imports services.alerts.persist", "api/route.py:1 imports services.events.queries"]
    assert sql_violations(tmp_path) == ["dashboards/page.py:4 imports sqlalchemy"]
    assert module_resources(tmp_path, ("dashboards",)) == [
        "dashboards/page.py:6 builds from_url(...) at import", "dashboards/page.py:7 builds TTLCache(...) at import",
        "dashboards/page.py:9 holds a dict[int, aioredis.Redis]"]


def test_pages_and_api_use_only_the_domain_faces() -> None:
    bad = face_violations(ROOT, ("dashboards", "api"))
    assert not bad, "import the domain's face (services.<domain>), add the name to its __all__:\n" + "\n".join(bad)


def test_pages_hold_no_sql() -> None:
    bad = sql_violations(ROOT)
    assert not bad, "queries belong in services/<domain>; pages call them:\n" + "\n".join(bad)


def test_no_module_level_clients_or_caches() -> None:
    bad = module_resources(ROOT, ("services", "dashboards", "api", "components"))
    assert not bad, "build resources in the Runtime that create_app makes:\n" + "\n".join(bad)


def test_every_domain_package_has_a_face() -> None:
    """Each domain package declares its public surface with `__all__`, and every name in it exists."""
    import importlib

    for package in sorted(p.parent for p in (ROOT / "services").glob("*/__init__.py")):
        if package.name in {"migrations"}:
            continue
        module = importlib.import_module(f"services.{package.name}")
        names = getattr(module, "__all__", None)
        assert names, f"services/{package.name}/__init__.py declares no __all__"
        missing = [name for name in names if not hasattr(module, name)]
        assert not missing, f"services.{package.name}.__all__ names what it does not define: {missing}"


# Run in a fresh interpreter in an empty directory: imports each module and reports, per module, what appeared.
_PROBE = r"""
import gc, importlib, json, logging, os, pkgutil, socket, sys, threading

OURS = tuple(sys.argv[1:])


def modules():
    yield from (name for name in OURS if name == "app")
    for package in (name for name in OURS if name != "app"):
        yield package
        pkg = importlib.import_module(package)
        for info in pkgutil.walk_packages(pkg.__path__, package + "."):
            # Dash page modules call dash.register_page, which needs an app first: only helpers (_x) import alone.
            if package == "dashboards" and not info.name.rsplit(".", 1)[1].startswith("_"):
                continue
            if ".migrations" in info.name:
                continue
            yield info.name


def ours(module):
    return any(module == name or module.startswith(name + ".") for name in OURS)


def instances(module, names):
    mod = sys.modules.get(module)
    classes = tuple(getattr(mod, n) for n in names if mod is not None and hasattr(mod, n))
    return sum(isinstance(o, classes) for o in gc.get_objects()) if classes else 0


def snapshot():
    return {
        "files": sorted(os.listdir(".")),
        "engines": instances("sqlalchemy.engine", ["Engine"]),
        "redis clients": instances("redis", ["Redis"]) + instances("redis.asyncio", ["Redis"]),
        "fakeredis servers": instances("fakeredis", ["FakeServer"]),
        "dash apps": instances("dash", ["Dash"]),
        "fastapi apps": instances("fastapi", ["FastAPI"]),
        "open sockets": sum(isinstance(o, socket.socket) and o.fileno() != -1 for o in gc.get_objects()),
        "our threads": sorted(
            t.name for t in threading.enumerate()
            if ours(getattr(getattr(t, "_target", None), "__module__", None) or type(t).__module__)
        ),
        "root log handlers": len(logging.getLogger().handlers),
    }


report = {}
before = snapshot()
for name in modules():
    try:
        importlib.import_module(name)
    except Exception as exc:
        report[name] = {"import error": f"{type(exc).__name__}: {exc}"}
        continue
    after = snapshot()
    changed = {k: [before[k], after[k]] for k in after if after[k] != before[k]}
    if changed:
        report[name] = changed
    before = after
print(json.dumps(report))
"""


def import_report(cwd: Path, code_root: Path, *names: str) -> dict[str, dict[str, object]]:
    """Import `names` (and everything under the packages among them) in a fresh interpreter in `cwd`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ONESCREEN_")}
    env["PYTHONPATH"] = os.pathsep.join([str(code_root), env.get("PYTHONPATH", "")])
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, *names], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_import_probe_sees_side_effects(tmp_path: Path) -> None:
    """Guards the guard: a module that does everything forbidden at import time is caught on each count."""
    code, cwd = tmp_path / "code", tmp_path / "cwd"
    code.mkdir()
    cwd.mkdir()
    (code / "app.py").write_text(
        "import logging, pathlib, socket, threading, time\n"
        "import redis\n"
        "from sqlalchemy import create_engine\n"
        "pathlib.Path('var').mkdir()\n"
        "engine = create_engine('sqlite:///var/x.db')\n"
        "client = redis.Redis()\n"
        "sock = socket.socket()\n"
        "def worker():\n    time.sleep(5)\n"
        "threading.Thread(target=worker, daemon=True).start()\n"
        "logging.basicConfig()\n",
        encoding="utf-8",
    )
    seen = import_report(cwd, code, "app")["app"]
    assert set(seen) == {
        "files",
        "engines",
        "redis clients",
        "open sockets",
        "our threads",
        "root log handlers",
    }
    assert seen["files"] == [[], ["var"]]


def test_importing_creates_nothing(tmp_path: Path) -> None:
    """`import app` and every services / components module: no var/, no database, no Redis, no app, no thread."""
    report = import_report(tmp_path, ROOT, "app", "services", "components", "dashboards")
    assert not (tmp_path / "var").exists(), f"importing created var/: {report}"
    assert list(tmp_path.iterdir()) == [], f"importing created files in the working directory: {report}"
    assert report == {}, "importing these modules did something (before -> after):\n" + json.dumps(
        report, indent=2, ensure_ascii=False
    )
