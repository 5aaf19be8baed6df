"""The flat table of seen hashes behaves as a set of 64-bit integers; the checker's split of
the API's address expression matches what the whole expression matches."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from suppression.addresses import _PLAIN
from suppression.listcheck.checker import _PLAIN_DOMAIN, _PLAIN_LOCAL, Checker, Verdict
from suppression.listcheck.hashset import HashSet

INT64 = st.integers(min_value=-(2**63), max_value=2**63 - 1)
# Values that share their low bits (one probe chain) and zero, the empty slot's marker.
CLASHING = st.builds(lambda high, low: (high << 20) | low, st.integers(-(2**40), 2**40), st.just(5))


@given(st.lists(st.one_of(INT64, CLASHING, st.just(0), st.just(1)), max_size=300))
def test_it_is_a_set_of_64_bit_integers(values: list[int]) -> None:
    table = HashSet(capacity=16)  # grows several times on the way
    model: set[int] = set()
    for value in values:
        stand_in = value or 1  # 0 is kept as 1 (a 2**-64 chance to merge two addresses)
        assert table.add(value) is (stand_in not in model)
        model.add(stand_in)
        assert value in table
    assert len(table) == len(model)
    assert all(value in table for value in model)
    assert "text" not in table


def test_a_million_hashes_fit_in_sixteen_megabytes() -> None:
    table = HashSet()
    for i in range(1_200_000):
        table.add(hash(f"client.{i}@shop{i % 20_000}.example"))
    assert len(table) == 1_200_000
    assert table._table.buffer_info()[1] * table._table.itemsize == 16 * 1024 * 1024


ADDRESSY = st.text(alphabet=st.sampled_from(list("aZ09.-_+@\"!'` éK\u212a[]")), max_size=20)


@given(st.one_of(ADDRESSY, st.emails().map(str)))
def test_the_split_expression_matches_what_the_whole_one_matches(text: str) -> None:
    local, _, domain = text.rpartition("@")
    split = (
        "@" in text
        and _PLAIN_LOCAL.fullmatch(local) is not None
        and domain.isascii()
        and _PLAIN_DOMAIN.fullmatch(domain.lower()) is not None
    )
    assert split == (_PLAIN.fullmatch(text) is not None)


def test_duplicates_are_found_across_chunks_and_a_million_rows_stay_small() -> None:
    checker = Checker()
    checker.check([f"u{i}@firma.com.ua" for i in range(5000)])
    again = checker.check(["U17@firma.com.ua", "new@firma.com.ua", "new@firma.com.ua"])
    assert [r.verdict for r in again] == [Verdict.DUPLICATE, Verdict.OK, Verdict.DUPLICATE]
