"""The collector's pauses are counted from gc.callbacks, and only while installed."""

from __future__ import annotations

import gc

from services.platform import GcPauses


def test_pauses_count_collections_while_installed():
    pauses = GcPauses()
    pauses.install()
    try:
        gc.collect()
        assert pauses.collections >= 1 and pauses.seconds > 0
        assert pauses.longest_generation == 2
    finally:
        pauses.uninstall()
    counted = pauses.collections
    gc.collect()
    assert pauses.collections == counted
