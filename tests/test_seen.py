"""The set of ids an ingest fills (gkqc.seen)."""

from gkqc.seen import SeenIds


def test_an_id_is_new_once_and_known_after():
    seen = SeenIds(["a" * 64])
    assert "a" * 64 in seen and "b" * 64 not in seen
    assert seen.add("b" * 64) is True
    assert seen.add("b" * 64) is False
    assert seen.add("a" * 64) is False
    assert len(seen) == 2
    seen.close()


def test_ids_that_differ_only_in_case_or_trailing_space_are_different_ids():
    seen = SeenIds()
    assert [seen.add(i) for i in ["abc", "ABC", "abc ", "abc"]] == [True, True, True, False]
