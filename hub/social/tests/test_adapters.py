"""The channel adapters against the local contract server (no database)."""

import uuid
from collections.abc import Iterator

import pytest

from hub.social import adapters
from hub.social.adapters import PermanentPublishError, PublishResult, TemporaryPublishError, publish
from hub.social.models import SocialAccount
from hub.social.tests.contract_server import BLUESKY_APP_PASSWORD, MASTODON_TOKEN, ContractServer

FAST = 0.5  # seconds: the adapters' timeout in these tests


@pytest.fixture
def server() -> Iterator[ContractServer]:
    with ContractServer() as contract:
        yield contract


def mastodon(server: ContractServer, *, secret: str = MASTODON_TOKEN) -> SocialAccount:
    return SocialAccount(network="mastodon", instance_url=server.url, handle="@partnership", secret=secret)


def bluesky(server: ContractServer, *, secret: str = BLUESKY_APP_PASSWORD) -> SocialAccount:
    return SocialAccount(network="bluesky", instance_url=server.url, handle=server.bluesky_handle, secret=secret)


def key() -> str:
    return str(uuid.uuid4())


# --- Mastodon -----------------------------------------------------------------


def test_mastodon_publish_records_the_status_id_and_url(server):
    result = publish(mastodon(server), text="Safer together this week.", idempotency_key=key())

    [status] = server.mastodon_statuses
    assert result == PublishResult(remote_id=status["id"], url=f"https://mastodon.example/@partnership/{status['id']}")
    assert status["content"] == "<p>Safer together this week.</p>"
    assert status["visibility"] == "public"


def test_mastodon_sends_the_token_the_idempotency_key_and_a_json_body(server):
    idempotency_key = key()
    publish(mastodon(server), text="Hello", idempotency_key=idempotency_key)

    [request] = server.requests_to("/api/v1/statuses")
    assert request.method == "POST"
    assert request.headers["authorization"] == f"Bearer {MASTODON_TOKEN}"
    assert request.headers["idempotency-key"] == idempotency_key
    assert request.headers["content-type"] == "application/json"
    assert request.headers["user-agent"].startswith("SafeguardingPartnershipHub/")
    assert request.body == {"status": "Hello", "visibility": "public", "language": "en"}


def test_mastodon_retry_with_the_same_key_gives_the_same_status_and_posts_once(server):
    account, idempotency_key = mastodon(server), key()

    first = publish(account, text="Once only", idempotency_key=idempotency_key)
    second = publish(account, text="Once only", idempotency_key=idempotency_key)

    assert first == second
    assert len(server.mastodon_statuses) == 1
    assert len(server.requests_to("/api/v1/statuses")) == 2


def test_mastodon_answer_lost_to_a_timeout_then_retry_posts_once(server):
    account, idempotency_key = mastodon(server), key()
    server.fail_next("mastodon", delay=FAST * 3)  # the status is made; the answer comes too late

    with pytest.raises(TemporaryPublishError, match="within 0.5 seconds"):
        publish(account, text="Late answer", idempotency_key=idempotency_key, timeout=FAST)
    result = publish(account, text="Late answer", idempotency_key=idempotency_key, timeout=FAST)

    [status] = server.mastodon_statuses
    assert result.remote_id == status["id"]


def test_mastodon_invalid_token_is_permanent_with_mastodons_message(server):
    with pytest.raises(PermanentPublishError) as caught:
        publish(mastodon(server, secret="revoked-token-abc"), text="Hello", idempotency_key=key())

    assert caught.value.message == "The access token is invalid"
    assert server.mastodon_statuses == []


def test_mastodon_text_over_the_limit_is_permanent_with_mastodons_message(server):
    with pytest.raises(PermanentPublishError) as caught:
        publish(mastodon(server), text="a" * 501, idempotency_key=key())

    assert caught.value.message == "Validation failed: Text character limit of 500 exceeded"


def test_mastodon_counts_a_link_as_23_characters(server):
    text = "a" * 470 + " https://example.org/" + "x" * 100
    assert publish(mastodon(server), text=text, idempotency_key=key()).remote_id


def test_mastodon_rate_limit_is_temporary_with_retry_after_from_the_reset_header(server):
    server.fail_next("mastodon", status=429, reset_in=30)

    with pytest.raises(TemporaryPublishError) as caught:
        publish(mastodon(server), text="Hello", idempotency_key=key())

    assert caught.value.message == "Too many requests"
    assert 25 <= caught.value.retry_after <= 30
    assert server.mastodon_statuses == []


def test_retry_after_header_wins_over_the_reset_header(server):
    server.fail_next("mastodon", status=429, reset_in=300, retry_after="12")

    with pytest.raises(TemporaryPublishError) as caught:
        publish(mastodon(server), text="Hello", idempotency_key=key())

    assert caught.value.retry_after == 12


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_mastodon_server_errors_are_temporary(server, status):
    server.fail_next("mastodon", status=status)

    with pytest.raises(TemporaryPublishError) as caught:
        publish(mastodon(server), text="Hello", idempotency_key=key())

    assert caught.value.retry_after is None
    assert caught.value.message  # Mastodon's "error", or "HTTP 503 from Mastodon" for a proxy's page


def test_mastodon_dropped_connection_is_temporary(server):
    server.fail_next("mastodon", drop=True)

    with pytest.raises(TemporaryPublishError, match="Could not reach /api/v1/statuses"):
        publish(mastodon(server), text="Hello", idempotency_key=key())

    assert server.mastodon_statuses == []


def test_mastodon_timeout_is_temporary(server):
    server.fail_next("mastodon", status=503, delay=FAST * 3)

    with pytest.raises(TemporaryPublishError, match="No answer"):
        publish(mastodon(server), text="Hello", idempotency_key=key(), timeout=FAST)


def test_nothing_listens_is_temporary():
    with ContractServer() as gone:
        account = mastodon(gone)
    with pytest.raises(TemporaryPublishError):
        publish(account, text="Hello", idempotency_key=key(), timeout=FAST)


def test_plain_http_is_refused_except_on_this_machine():
    account = SocialAccount(network="mastodon", instance_url="http://mastodon.example", handle="a", secret="t")

    with pytest.raises(PermanentPublishError, match="https"):
        publish(account, text="Hello", idempotency_key=key())


# --- Bluesky ------------------------------------------------------------------


def test_bluesky_publish_records_the_uri_and_the_post_url(server):
    idempotency_key = key()
    result = publish(bluesky(server), text="Safer together this week.", idempotency_key=idempotency_key)

    rkey = adapters.tid_from_uuid(idempotency_key)
    uri = f"at://{server.bluesky_did}/app.bsky.feed.post/{rkey}"
    assert result == PublishResult(remote_id=uri, url=f"https://bsky.app/profile/partnership.bsky.social/post/{rkey}")
    record = server.bluesky_records[uri]["value"]
    assert record["text"] == "Safer together this week."
    assert record["langs"] == ["en-GB"]
    assert record["createdAt"].endswith("Z")
    assert "facets" not in record


def test_bluesky_logs_in_then_writes_with_the_session_token(server):
    publish(bluesky(server), text="Hello", idempotency_key=key())

    [login] = server.requests_to("com.atproto.server.createSession")
    assert login.body == {"identifier": "partnership.bsky.social", "password": BLUESKY_APP_PASSWORD}
    [create] = server.requests_to("com.atproto.repo.createRecord")
    assert create.headers["authorization"].startswith("Bearer eyJ")
    assert create.body["repo"] == server.bluesky_did
    assert create.body["collection"] == "app.bsky.feed.post"
    assert create.body["record"]["$type"] == "app.bsky.feed.post"
    # The look-up before the write: nothing there yet.
    [lookup] = server.requests_to("com.atproto.repo.getRecord")
    assert lookup.query["rkey"] == create.body["rkey"]


def test_bluesky_defaults_to_bsky_social():
    assert adapters._base_url("", default=adapters.BLUESKY_DEFAULT_PDS) == "https://bsky.social"


def test_bluesky_facets_use_utf8_byte_offsets(server):
    text = "Café week: #SafeguardingWeek at https://example.org/path."
    publish(bluesky(server), text=text, idempotency_key=key())

    [create] = server.requests_to("com.atproto.repo.createRecord")
    facets = create.body["record"]["facets"]
    # "Café week: " is 11 characters but 12 bytes ("é" is two).
    assert facets == [
        {
            "index": {"byteStart": 12, "byteEnd": 29},
            "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": "SafeguardingWeek"}],
        },
        {
            "index": {"byteStart": 33, "byteEnd": 57},
            "features": [{"$type": "app.bsky.richtext.facet#link", "uri": "https://example.org/path"}],
        },
    ]
    data = text.encode()
    assert data[12:29].decode() == "#SafeguardingWeek"
    assert data[33:57].decode() == "https://example.org/path"


def test_bluesky_facets_skip_digit_tags_trailing_punctuation_and_url_fragments():
    text = "👋🏽 #1 and #Tag! see https://example.org/a#frag (https://example.org/b)"
    facets = adapters.bluesky_facets(text)
    data = text.encode()

    spans = [data[f["index"]["byteStart"] : f["index"]["byteEnd"]].decode() for f in facets]
    assert spans == ["#Tag", "https://example.org/a#frag", "https://example.org/b"]
    assert facets[0]["features"][0]["tag"] == "Tag"


def test_bluesky_retry_with_the_same_key_does_not_make_a_second_record(server):
    account, idempotency_key = bluesky(server), key()

    first = publish(account, text="Once only", idempotency_key=idempotency_key)
    second = publish(account, text="Once only", idempotency_key=idempotency_key)

    assert first == second
    assert len(server.bluesky_records) == 1
    assert len(server.requests_to("com.atproto.repo.createRecord")) == 1


def test_bluesky_answer_lost_to_a_timeout_then_retry_posts_once(server):
    account, idempotency_key = bluesky(server), key()
    server.fail_next("bluesky", endpoint="com.atproto.repo.createRecord", delay=FAST * 3)

    with pytest.raises(TemporaryPublishError):
        publish(account, text="Late answer", idempotency_key=idempotency_key, timeout=FAST)
    result = publish(account, text="Late answer", idempotency_key=idempotency_key, timeout=FAST)

    assert list(server.bluesky_records) == [result.remote_id]


@pytest.mark.parametrize("duplicate_answer", ["internal-error", "explicit"])
def test_bluesky_create_on_an_existing_rkey_counts_as_published(duplicate_answer):
    with ContractServer(bluesky_duplicate_answer=duplicate_answer) as server:
        account, idempotency_key = bluesky(server), key()
        first = publish(account, text="Once only", idempotency_key=idempotency_key)
        # The look-up misses (a lagging replica), so the create runs into the existing record.
        not_found = {"error": "RecordNotFound", "message": "Could not locate record"}
        server.fail_next("bluesky", endpoint="com.atproto.repo.getRecord", status=400, body=not_found)

        second = publish(account, text="Once only", idempotency_key=idempotency_key)

        assert second == first
        assert len(server.bluesky_records) == 1
        assert len(server.requests_to("com.atproto.repo.createRecord")) == 2


def test_bluesky_bad_app_password_is_permanent(server):
    with pytest.raises(PermanentPublishError) as caught:
        publish(bluesky(server, secret="wrong-app-password"), text="Hello", idempotency_key=key())

    assert caught.value.message == "Invalid identifier or password"
    assert server.requests_to("com.atproto.repo.createRecord") == []


def test_bluesky_text_over_300_graphemes_is_permanent_with_the_pds_message(server):
    with pytest.raises(PermanentPublishError) as caught:
        publish(bluesky(server), text="é" * 301, idempotency_key=key())

    assert (
        caught.value.message == "Invalid app.bsky.feed.post record: Record/text must not be longer than 300 graphemes"
    )


def test_bluesky_counts_graphemes_not_code_points(server):
    # 300 graphemes, each "e" plus a combining acute accent: 600 code points.
    assert publish(bluesky(server), text="e\u0301" * 300, idempotency_key=key()).remote_id


def test_bluesky_rate_limit_is_temporary_with_retry_after_from_the_reset_header(server):
    server.fail_next("bluesky", endpoint="com.atproto.server.createSession", status=429, reset_in=120)

    with pytest.raises(TemporaryPublishError) as caught:
        publish(bluesky(server), text="Hello", idempotency_key=key())

    assert caught.value.message == "Rate Limit Exceeded"
    assert 115 <= caught.value.retry_after <= 121


def test_bluesky_server_error_on_create_is_temporary_when_no_record_exists(server):
    server.fail_next("bluesky", endpoint="com.atproto.repo.createRecord", status=500)

    with pytest.raises(TemporaryPublishError, match="Internal Server Error"):
        publish(bluesky(server), text="Hello", idempotency_key=key())

    assert server.bluesky_records == {}
    assert len(server.requests_to("com.atproto.repo.getRecord")) == 2  # before, and after the 500


@pytest.mark.parametrize("status", [502, 503])
def test_bluesky_failed_look_up_is_temporary_and_nothing_is_written(server, status):
    server.fail_next("bluesky", endpoint="com.atproto.repo.getRecord", status=status)

    with pytest.raises(TemporaryPublishError):
        publish(bluesky(server), text="Hello", idempotency_key=key())

    assert server.requests_to("com.atproto.repo.createRecord") == []


def test_bluesky_dropped_connection_and_timeout_are_temporary(server):
    server.fail_next("bluesky", drop=True)
    with pytest.raises(TemporaryPublishError, match="Could not reach"):
        publish(bluesky(server), text="Hello", idempotency_key=key(), timeout=FAST)

    server.fail_next("bluesky", status=503, delay=FAST * 3)
    with pytest.raises(TemporaryPublishError, match="No answer"):
        publish(bluesky(server), text="Hello", idempotency_key=key(), timeout=FAST)


# --- Secrets and keys -----------------------------------------------------------


@pytest.mark.parametrize(
    ("network", "failure"),
    [
        ("mastodon", {"status": 401}),
        ("mastodon", {"status": 429}),
        ("mastodon", {"status": 503}),
        ("mastodon", {"drop": True}),
        ("mastodon", {"status": 422, "body": {"error": "Token secret-in-answer-0000 is not allowed"}}),
        ("bluesky", {"status": 401}),
        ("bluesky", {"status": 500}),
        ("bluesky", {"drop": True}),
        ("bluesky", {"status": 400, "body": {"error": "InvalidRequest", "message": "bad secret-in-answer-0000"}}),
    ],
)
def test_secrets_never_appear_in_errors(server, network, failure):
    secret = "secret-in-answer-0000"
    if network == "mastodon":
        server.mastodon_token = secret
        account = mastodon(server, secret=secret)
    else:
        server.bluesky_password = secret
        account = bluesky(server, secret=secret)
    server.fail_next(network, **failure)

    with pytest.raises((TemporaryPublishError, PermanentPublishError)) as caught:
        publish(account, text="Hello", idempotency_key=key())

    shown = f"{caught.value} {caught.value.message!r} {caught.value!r}"
    assert secret not in shown
    assert "eyJ" not in shown  # nor the Bluesky session token
    assert caught.value.__cause__ is None or secret not in str(caught.value.__cause__)


def test_record_key_is_a_tid_fixed_by_the_idempotency_key():
    idempotency_key = uuid.uuid4()

    rkey = adapters.tid_from_uuid(idempotency_key)

    assert rkey == adapters.tid_from_uuid(str(idempotency_key))
    assert len(rkey) == 13
    assert rkey[0] in "234567abcdefghij"  # top bit zero
    assert set(rkey) <= set(adapters.TID_ALPHABET)
    assert adapters.tid_from_uuid(uuid.uuid4()) != rkey


def test_unsupported_network_is_permanent():
    account = SocialAccount(network="x", instance_url="https://x.example", handle="a", secret="t")

    with pytest.raises(PermanentPublishError):
        publish(account, text="Hello", idempotency_key=key())
