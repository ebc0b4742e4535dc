"""The warehouse lock in one process: re-entrant, created on demand, released on exit."""

from gkqc import runlock


def test_the_lock_creates_a_missing_warehouse_and_is_reentrant(tmp_path):
    wh = tmp_path / "new" / "wh"
    with runlock.hold(wh), runlock.hold(wh):  # the CLI holds it, then the flow takes it again
        assert (wh / runlock.LOCK_NAME).exists()
    with runlock.hold(wh):  # released when the outer hold ended
        pass
