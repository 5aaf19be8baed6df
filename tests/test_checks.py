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


def test_database_deadlines_are_checked(settings) -> None:
    assert ids({"DB_CONNECT_TIMEOUT_SECONDS": 0}, settings) == {"suppression.E003"}
    assert ids({"DB_CONNECT_TIMEOUT_SECONDS": 1}, settings) == {"suppression.E030"}
    # A pipe deadline the connect timeout would outlast, or one the MTA's limit would cut.
    assert ids({"DB_CONNECT_TIMEOUT_SECONDS": 60}, settings) == {"suppression.E031"}
    assert ids({"PIPE_DEADLINE_SECONDS": 1000}, settings) == {"suppression.W030"}
    assert ids({"WEB_STATEMENT_TIMEOUT_SECONDS": -1}, settings) == {"suppression.E032"}
    assert ids({"WEB_STATEMENT_TIMEOUT_SECONDS": 0}, settings) == set()
    assert ids({"DB_APP_ROLE": "app; DROP TABLE x"}, settings) == {"suppression.E033"}
    assert ids({"DB_APP_ROLE": "kwiga_app"}, settings) == set()
    assert ids({"DB_HEALTH_CHECK_IDLE_SECONDS": -1}, settings) == {"suppression.E034"}
    assert ids({"DB_HEALTH_CHECK_IDLE_SECONDS": "1"}, settings) == {"suppression.E034"}
    assert ids({"DB_HEALTH_CHECK_IDLE_SECONDS": 0}, settings) == set()
    assert ids({"DB_HEALTH_CHECK_IDLE_SECONDS": 2.5}, settings) == set()
