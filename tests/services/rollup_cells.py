"""Reading a trigger-kept rollup's cells in a test, to compare what the triggers kept with a rebuild."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from sqlalchemy import Engine, Table, select


def nonempty_cells(engine: Engine, table: Table, measures: Sequence[str], key: Sequence[str]) -> pd.DataFrame:
    """Every non-empty cell of `table`, sorted by `key` (a cell emptied by a change may linger as zeros, or as
    float sums a rounding away from zero: it sums to nothing)."""
    with engine.connect() as conn:
        frame = pd.DataFrame(conn.execute(select(table)).all(), columns=list(table.c.keys()))
    frame = frame[frame[list(measures)].abs().sum(axis=1) > 1e-6]
    return frame.sort_values(list(key), ignore_index=True)
