"""The bulk check's regular-expression shortcut never disagrees with email-validator."""

from __future__ import annotations

import string

import email_validator
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from suppression.addresses import (
    _PLAIN,
    _SPECIAL_USE_SUFFIXES,
    SPECIAL_USE_DOMAIN_NAMES,
    normalize_email,
    validated,
)
from suppression.exceptions import InvalidEmailAddress
from suppression.selectors import _PLAIN_LINES, fast_normalize, normalize_many

ATEXT = string.ascii_letters + string.digits + "!#$%&'*+/=?^_`{|}~-"
LDH = string.ascii_letters + string.digits + "-"

labels = st.text(LDH, min_size=1, max_size=70)
domains = st.builds(
    ".".join,
    st.lists(
        st.one_of(
            labels,
            st.sampled_from(
                ["xn--80ak6aa92e", "a--b", "localhost", "test", "invalid", "local", "arpa", "onion"]
            ),
        ),
        min_size=1,
        max_size=4,
    ),
)
locals_ = st.text(ATEXT + '."\\ @(),:;<>[]é', min_size=0, max_size=70)
addresses = st.one_of(
    st.builds(lambda local, domain: f"{local}@{domain}", locals_, domains),
    st.builds(
        lambda a, b, c: f"{a}{b}@{c}",
        st.sampled_from(["", " ", "\t", "\u00a0"]),
        st.emails().map(str),
        st.sampled_from(["com", "ua", "c0m", "x"]),
    ),
    st.emails().map(str),
    st.text(ATEXT + "@. ", max_size=40),
)


def exact(value: str) -> str | None:
    """email-validator's own answer, with no shortcut taken."""
    display = value.strip()
    if not display:
        return None
    try:
        return validated(display).address
    except InvalidEmailAddress:
        return None


def test_the_special_use_names_are_the_librarys() -> None:
    # The shortcut refuses these without importing the library; a name the library adds must be
    # added to the copy, or the shortcut would accept an address the library refuses.
    assert sorted(SPECIAL_USE_DOMAIN_NAMES) == sorted(email_validator.SPECIAL_USE_DOMAIN_NAMES)


@pytest.mark.parametrize(
    "value",
    ["Ann.Lee+tag@Example.COM", " ann@example.com ", "ann@münchen.de", "Ann@Bücher.Example"],
)
def test_normalize_email_gives_the_librarys_answer_either_way(value: str) -> None:
    assert normalize_email(value) == validated(value.strip())


@pytest.mark.parametrize("value", ["ann@example.test", "ann@sub.localhost", "a" * 65 + "@x.com"])
def test_normalize_email_refuses_what_the_library_refuses(value: str) -> None:
    with pytest.raises(InvalidEmailAddress):
        normalize_email(value)


@settings(max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(addresses)
@example("Ann.Lee+tag@Example.COM")
@example(" ann@example.com ")
@example("a" * 64 + "@example.com")
@example("a" * 65 + "@example.com")
@example("ann@" + "a" * 63 + ".com")
@example("ann@" + ".".join(["a" * 63] * 4) + ".com")
@example("ann@xn--d1acufc.xn--j1amh")
@example("ann@sub.localhost")
@example("ann..lee@example.com")
@example(".ann@example.com")
@example("ann@-example.com")
@example("ann@example.c")
@example("ann@123.com")
def test_the_shortcut_agrees_with_email_validator_whenever_it_answers(value: str) -> None:
    fast = fast_normalize(value)
    if fast is not None:
        assert fast == exact(value)
    expected = exact(value)
    try:
        assert normalize_email(value).address == expected
    except InvalidEmailAddress:
        assert expected is None


@settings(max_examples=500, deadline=None)
@given(st.emails().map(str))
def test_the_shortcut_answers_for_ordinary_addresses(value: str) -> None:
    # Not a correctness property, a speed one: most real addresses must take the fast path.
    if value.isascii() and "--" not in value and exact(value) is not None and len(value) < 200:
        local = value.rpartition("@")[0]
        if '"' not in local and len(local) <= 64:
            assert fast_normalize(value) is not None or value.rpartition(".")[2].isdigit()


# normalize_many judges a whole list at once; every line it does not send through fast_normalize
# must come out exactly as fast_normalize would have made it.
odd_lines = st.one_of(
    addresses,
    st.sampled_from(
        [
            "",
            "\n",
            "ann@example.com\nbob@example.com",
            "ann@example.test",
            "ann@Example.LOCAL",
            "ann@x.onion",
            "ann@ab--cd.com",
            "a--b@example.com",
            "ann@a--b.com",
            "a" * 64 + "@example.com",
            "a" * 65 + "@example.com",
            "a" * 60 + "@" + "b" * 64 + ".com",
            "a" * 64 + "@" + ".".join(["b" * 63] * 3) + ".com",
            "ann@münchen.de",
            "\u212aelvin@example.com",  # KELVIN SIGN: lower-cases to ASCII "k"
            "ann@example.com ",
            "Ann.Lee+Tag@Example.COM",
            "ann@ab-.com",
            "ann@a-.b.com",
            "ann@-a.com",
            "ann@a.b-",
            "ann@" + "b" * 63 + ".com",
            "ann@" + "b" * 64 + ".com",
            "ann@x.Test",
            "ann@sub.LOCALHOST",
            "ann@x.localhostx",
            "ann@x.xlocal",
            "ann@x.com.",
            "ann.@x.com",
            "a.b.c@x.y.com",
        ]
    ),
)


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(odd_lines, max_size=30))
@example(["ann@example.test", "bob@example.com"])
@example(["bob@example.com", "a" * 65 + "@example.com", "x--y@example.com"])
@example(["ann@ex--ample.com", "carol@example.com\n", "dave@example.com"])
def test_the_bulk_shortcut_agrees_with_the_shortcut_line_by_line(values: list[str]) -> None:
    assert normalize_many(values) == [fast_normalize(value) for value in values]


def test_the_bulk_shortcut_takes_a_long_ordinary_list_at_once() -> None:
    values = [f"Reader.{i}@School-{i % 50}.Example.com" for i in range(20_000)]
    values[7] = "not an address"
    values[11] = "ann@example.test"
    expected = [value.lower() for value in values]
    expected[7] = expected[11] = None
    assert normalize_many(values) == expected


@settings(max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(addresses, odd_lines).filter(lambda value: "\n" not in value))
@example("ann@ab-.com")
@example("ann@" + "b" * 64 + ".com")
@example("ann@x.TEST")
def test_the_bulk_pattern_is_the_plain_pattern_without_special_use_domains(value: str) -> None:
    # _PLAIN_LINES is _PLAIN rewritten for speed (possessive, special-use endings refused).
    plain = _PLAIN.fullmatch(value) is not None and not value.lower().endswith(
        _SPECIAL_USE_SUFFIXES
    )
    assert (_PLAIN_LINES.fullmatch(value) is not None) == plain
