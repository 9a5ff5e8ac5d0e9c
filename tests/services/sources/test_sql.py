"""An `sql` source against a second PostgreSQL database: incremental on its cursor, read-only, nothing twice."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.exc import DBAPIError

from services.sources import SqlSource
from services.sources.connectors import SqlConnector
from services.store import DataSource, Event
from tests.services.sources.conftest import declare

CASES = """CREATE TABLE cases (id serial PRIMARY KEY, case_no text, kind text, title text,
                                happened_at timestamptz, lon float, lat float)"""


def _spec(url: str, **overrides: object) -> SqlSource:
    return SqlSource.model_validate({
        "id": "urban-cases", "name_zh": "数字城管案件库", "name_en": "Urban management cases", "department": "urban_mgmt",
        "kind": "sql", "target": "events", "url": url, "cadence": "5m", "schedule": {"every": "1m"}, "batch": 2,
        "query": "SELECT id, case_no, kind, title, happened_at, lon, lat FROM cases", "cursor": "id",
        "mapping": {"external_id": "case_no", "category": "kind", "reported_at": "happened_at"}, **overrides})


@pytest.fixture
def cases(department_db: str) -> Iterator[object]:
    engine = create_engine(department_db)
    with engine.begin() as conn:
        conn.execute(text(CASES))

    def add(*numbers: int) -> None:
        with engine.begin() as conn:
            for n in numbers:
                conn.execute(text("INSERT INTO cases (case_no, kind, title, happened_at, lon, lat) VALUES "
                                  "(:no, 'waterlogging', :title, now(), 118.0894, 24.4798)"),
                             {"no": f"C-{n}", "title": f"积水 {n}"})

    yield add
    engine.dispose()


def test_a_second_run_fetches_only_new_rows_and_nothing_is_duplicated(rt, runner, department_db, cases):
    spec = _spec(department_db)
    declare(rt, spec)
    cases(1, 2, 3, 4, 5)
    first = runner.run(spec, SqlConnector(spec))
    assert (first.batches, first.accepted, first.updated, first.refused) == (3, 5, 0, 0)
    cases(6, 7)
    second = runner.run(spec, SqlConnector(spec))
    assert (second.batches, second.accepted, second.updated) == (1, 2, 0)
    assert runner.run(spec, SqlConnector(spec)).batches == 0
    with rt.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Event)) == 7
        assert session.scalar(select(func.count(func.distinct(Event.external_id)))) == 7
        source = session.get(DataSource, "urban-cases")
        assert (source.cursor, source.last_error) == ("7", None) and source.last_delivery_at is not None


def test_the_select_runs_read_only_whatever_it_says(rt, runner, department_db, cases):
    spec = _spec(department_db, query="SELECT *, nextval('cases_id_seq') AS taken FROM cases")
    declare(rt, spec)
    cases(1)
    with pytest.raises(DBAPIError, match="read-only transaction"):
        runner.run(spec, SqlConnector(spec))
    with create_engine(department_db).connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM cases")).scalar() == 1
    with rt.sessions() as session:
        assert "read-only transaction" in (session.get(DataSource, "urban-cases").last_error or "")


def test_rows_sharing_a_cursor_value_across_a_batch_end_wait_for_the_next_batch(rt, runner, department_db, cases):
    spec = _spec(department_db, cursor="happened_at", batch=3)
    declare(rt, spec)
    cases(1, 2)  # one transaction: one now() for both
    cases(3, 4)
    result = runner.run(spec, SqlConnector(spec))
    assert (result.batches, result.accepted) == (2, 4)  # [1, 2] then [3, 4]: 3 is never cut from its twin
