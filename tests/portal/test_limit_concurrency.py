"""The daily limit holds when one owner's requests arrive at once on separate connections."""

from __future__ import annotations

import pytest
from django.db import connection

from suppression import exceptions as errors
from suppression import services
from suppression.models import AddressInquiry, ReinstatementRequest
from suppression.services.owners import inquiry_submit

from ..factories import SchoolFactory, bounce, owner_of
from ..test_concurrency import run_together
from .conftest import EXPLANATION

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_eight_simultaneous_submissions_against_a_limit_of_three(settings) -> None:
    assert connection.vendor == "postgresql"
    settings.SUPPRESSION = {**settings.SUPPRESSION, "OWNER_DAILY_REQUEST_LIMIT": 3}
    school = SchoolFactory(slug="limit-school")
    owner = owner_of(school, "limit-owner")
    for n in range(4):
        bounce(f"c{n}@example.com", school=school)

    def submit(n: int):
        def work():
            if n < 4:
                return services.request_submit(
                    email=f"c{n}@example.com", school=school, actor=owner, explanation=EXPLANATION
                )
            return inquiry_submit(
                school=school, actor=owner, email=f"q{n}@example.com", message=EXPLANATION
            )

        return work

    results = run_together([submit(n) for n in range(8)])
    refused = [r for r in results if isinstance(r, errors.DailyLimitReached)]
    assert len(refused) == 5, results
    assert ReinstatementRequest.objects.count() + AddressInquiry.objects.count() == 3
