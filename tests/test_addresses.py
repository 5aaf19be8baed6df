import pytest

from suppression.addresses import normalize_email
from suppression.exceptions import InvalidEmailAddress


@pytest.mark.parametrize(
    ("given", "address", "domain"),
    [
        ("John.Doe@Example.COM", "john.doe@example.com", "example.com"),
        ("  spaced@example.com \n", "spaced@example.com", "example.com"),
        ("user@Bücher.de", "user@xn--bcher-kva.de", "xn--bcher-kva.de"),
        ("пользователь@пример.рф", "пользователь@xn--e1afmkfd.xn--p1ai", "xn--e1afmkfd.xn--p1ai"),
        ("ÜNÏCODE@example.com", "ünïcode@example.com", "example.com"),
        ("first+tag@sub.example.co.uk", "first+tag@sub.example.co.uk", "sub.example.co.uk"),
    ],
)
def test_normalizes_case_space_and_idn(given: str, address: str, domain: str) -> None:
    normalized = normalize_email(given)
    assert normalized.address == address
    assert normalized.domain == domain
    assert normalized.display == given.strip()


@pytest.mark.parametrize(
    ("given", "why"),
    [
        ("no-at-sign.example.com", "must have an @-sign"),
        ("double..dot@example.com", "two periods in a row"),
        ("trailing.@example.com", "period immediately before the @-sign"),
        ("user@example.com.", "cannot end with a period"),
        ("user@example..com", "period"),
        ("x" * 65 + "@example.com", "too long before the @-sign"),
        ("user@" + "d" * 64 + ".com", "so many characters"),
        ("", "empty"),
        ("   ", "empty"),
        ("user@localhost", "should have a period"),
        ("a" * 600 + "@example.com", "too long"),
    ],
)
def test_invalid_input_names_what_is_wrong(given: str, why: str) -> None:
    with pytest.raises(InvalidEmailAddress) as caught:
        normalize_email(given)
    assert why in caught.value.why
    assert why in str(caught.value)


def test_non_string_input_is_an_error_not_a_crash() -> None:
    with pytest.raises(InvalidEmailAddress, match="must be a string"):
        normalize_email(None)
