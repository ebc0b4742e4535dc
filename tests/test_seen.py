"""The set of ids an ingest fills (gkqc.seen)."""

import hashlib

import pytest

from gkqc.seen import SeenIds


def _id(n: int) -> str:
    return hashlib.sha256(str(n).encode()).hexdigest()[:32]


@pytest.mark.parametrize("batch", [1, 3, 50_000])
def test_an_id_is_new_once_and_known_after_whenever_it_was_merged(batch):
    seen = SeenIds([_id(0), _id(1), _id(0)], batch=batch)
    assert len(seen) == 2
    added = [seen.add(_id(n)) for n in [2, 3, 1, 4, 2, 5, 6, 7, 3, 0]]
    assert added == [True, True, False, True, False, True, True, True, False, False]
    assert all(_id(n) in seen for n in range(8))
    assert _id(8) not in seen and len(seen) == 8


def test_ids_of_another_shape_are_kept_as_they_are():
    seen = SeenIds(["short", _id(1)], batch=1)
    odd = ["SHORT", "short ", "a" * 31, "a" * 31 + "\x00", "é" * 32, _id(1).upper(), ""]
    assert "short" in seen and all(o not in seen for o in odd)
    assert [seen.add(o) for o in odd] == [True] * len(odd)
    assert [seen.add(o) for o in odd] == [False] * len(odd)
    assert "a" * 30 not in seen and None not in seen
