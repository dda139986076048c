"""NulCharacterMiddleware: a NUL character (which PostgreSQL cannot hold, so a 500 once it
reached a query) in the path is a 404, in the query a 400, in a cookie ignored; for the
pages and the API alike. Found by fuzzing the public links (test_fuzz_forms.py)."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    [
        "/training/bookings/%00/",
        "/training/bookings/abc%00def/cancel/",
        "/moment/supporters/%00/",
        "/bulletins/unsubscribe/%00/",
    ],
)
def test_a_nul_character_in_a_public_link_is_page_not_found(client, url):
    for response in (client.get(url), client.post(url, {})):
        assert response.status_code == 404
        assert "Page not found" in response.content.decode()


def test_a_nul_character_in_the_query_is_a_400_page(client):
    response = client.get("/training/?audience=Taxi%00drivers")
    assert response.status_code == 400
    assert "there is a problem with the web address" in response.content.decode()
    assert response["Content-Security-Policy"]


def test_a_nul_character_in_a_query_name_is_a_400(client):
    assert client.get("/training/certificates/verify/?co%00de=1").status_code == 400


def test_a_cookie_with_a_nul_character_is_ignored(client):
    # A quoted cookie value's "\000" is unquoted to a NUL; as a session id it reached the database.
    response = client.get("/", HTTP_COOKIE='sessionid="abcdefghijkl\\000"')
    assert response.status_code == 200


def test_the_api_gets_json_for_a_400(client):
    response = client.get("/api/v1/bulletins?series=%00")
    assert response.status_code == 400
    assert response.json() == {
        "message": "The request is not valid. Check the address and its query.",
        "errors": [],
    }
