"""The same person signing up many times at once ends as one supporter, on
SQLite and PostgreSQL: the unique (moment, email) constraint settles the race and
the losers update the row instead of failing."""

import threading

import pytest
from django.db import connection

from hub.social import moments
from hub.social.models import Supporter, SupporterHandle
from hub.social.tests.factories import MomentFactory


@pytest.mark.django_db(transaction=True)
def test_simultaneous_duplicate_signups_make_one_supporter():
    moment = MomentFactory()
    barrier = threading.Barrier(12)
    errors: list[BaseException] = []

    def sign_up(number: int) -> None:
        try:
            barrier.wait()
            moments.supporter_signup(
                moment=moment,
                first_name=f"Sam{number}",
                email="Sam@Example.org",
                handles={"x": {"handle": f"@sam_{number}", "followers": number}},
            )
        except BaseException as error:  # noqa: BLE001 (reported below)
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=sign_up, args=(n,)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    supporter = Supporter.objects.get()
    assert supporter.email == "sam@example.org"
    # The last writer's details stand, whole: one handle, matching the first name.
    (handle,) = SupporterHandle.objects.filter(supporter=supporter)
    assert handle.handle == f"@sam_{supporter.first_name.removeprefix('Sam')}"
