"""The warehouse lock in one process: re-entrant, created on demand, released on exit."""

from gkqc import runlock


def test_the_lock_creates_a_missing_warehouse_and_is_reentrant(tmp_path):
    wh = tmp_path / "new" / "wh"
    with runlock.hold(wh), runlock.hold(wh):  # the CLI holds it, then the flow takes it again
        assert (wh / runlock.LOCK_NAME).exists()
    with runlock.hold(wh):  # released when the outer hold ended
        pass


def test_a_scheduled_run_waits_for_a_warehouse_another_process_holds_and_gives_up_after_its_patience(tmp_path):
    """A scheduled run found the warehouse held by a review (its rebuild takes tens of seconds at 100k),
    failed with a traceback and was not tried again until the next day."""
    import subprocess
    import sys
    import time

    import pytest

    wh = tmp_path / "wh"
    holder = subprocess.Popen([sys.executable, "-c", "import sys, time; from pathlib import Path; from gkqc import runlock\n"
                               "with runlock.hold(Path(sys.argv[1]), 'gkqc review'):\n    print('held', flush=True)\n"
                               "    time.sleep(float(sys.argv[2]))\n", str(wh), "1.5"], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(runlock.WarehouseBusy, match="gkqc review"), runlock.hold(wh, wait=0.2):
            pass
        start = time.monotonic()
        with runlock.hold(wh, wait=30):  # taken once the review ends
            assert time.monotonic() - start < 30
    finally:
        holder.kill()
        holder.wait()
