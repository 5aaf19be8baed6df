from django.core.checks import run_checks


def ids(settings_dict, settings) -> set[str]:
    settings.SUPPRESSION = settings_dict
    return {message.id for message in run_checks() if message.id.startswith("suppression.")}


def test_default_settings_pass(settings) -> None:
    assert ids(settings.SUPPRESSION, settings) == set()


def test_unknown_setting_is_reported(settings) -> None:
    assert ids({"SOFT_BOUNCE_TRESHOLD": 3}, settings) == {"suppression.E002"}


def test_bad_numbers_are_reported(settings) -> None:
    assert ids({"SOFT_BOUNCE_THRESHOLD": 0, "PROBATION_DAYS": "30"}, settings) == {
        "suppression.E003"
    }
    assert ids({"DNS_TIMEOUT_SECONDS": -1}, settings) == {"suppression.E004"}
    assert ids({"DNS_NAMESERVERS": "127.0.0.1"}, settings) == {"suppression.E005"}


def test_settings_must_be_a_dict(settings) -> None:
    assert ids([], settings) == {"suppression.E001"}
