"""Against a live Herald (scripts/sdk-check.sh starts one with a single
attempt per delivery, loopback open): publish, fail, list, replay, batch,
typed errors."""

import time

import pytest

from herald_client.api.applications import get_app
from herald_sdk import (
    ConflictError,
    Herald,
    HeraldError,
    NotFoundError,
    UnauthorizedError,
    ValidationError,
    Webhook,
    WebhookVerificationError,
)


def wait_for(what, check, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def test_publish_fail_list_replay_and_verify(herald, uid, receiver_500_then_200):
    receiver = receiver_500_then_200
    app = herald.create_app("SDK test", uid=uid, metadata={"sdk": "python"})
    assert app.uid == uid
    endpoint = herald.create_endpoint(uid, receiver.url, event_types=["order.*"], description="py")
    assert endpoint.url == receiver.url

    message = herald.publish(uid, "order.paid", {"order": 1}, event_id="order-1")
    assert message.event_type == "order.paid" and message.payload == {"order": 1}
    again = herald.publish(uid, "order.paid", {"order": 1}, event_id="order-1")
    assert again.id == message.id, "a repeated event_id answers the original message"

    # The receiver answers 500 first: with a single attempt, the delivery fails.
    failed = wait_for("the failed delivery", lambda: [d for d in herald.iter_failed(uid) if d.message.id == message.id])
    assert failed[0].endpoint_id == endpoint.id
    assert failed[0].last_status_code == 500
    assert failed[0].status == "failed"
    page = herald.list_failed(uid, endpoint=endpoint.id, limit=10)
    assert [d.message.id for d in page.data] == [message.id]

    attempt = herald.replay(uid, message.id, endpoint.id, only_failed=True)
    assert attempt.status_code == 200 and attempt.manual
    assert [d.message.id for d in herald.iter_failed(uid)] == [], "a replay that succeeded leaves nothing failed"
    with pytest.raises(ConflictError) as err:
        herald.replay(uid, message.id, endpoint.id, only_failed=True)
    assert err.value.status == 409 and err.value.code == "already_delivered"

    # Both requests are signed with the endpoint's secret; the raw body verifies, a changed one does not.
    assert len(receiver.received) == 2
    wh = Webhook(herald.endpoint_secret(uid, endpoint.id))
    for headers, body in receiver.received:
        assert headers["webhook-id"] == message.id
        wh.verify(headers, body)
    headers, body = receiver.received[0]
    with pytest.raises(WebhookVerificationError):
        wh.verify(headers, body + b" ")


def test_publish_batch(herald, uid):
    herald.create_app("SDK batch", uid=uid)
    first = herald.publish(uid, "invoice.paid", {"n": 0}, event_id="inv-0")
    batch = herald.publish_batch(
        uid,
        [
            {"event_type": "invoice.paid", "payload": {"n": 1}, "event_id": "inv-1"},
            {"event_type": "invoice.paid", "payload": {"n": 2}},
            {"event_type": "invoice.paid", "payload": {"n": 0}, "event_id": "inv-0"},
            {"event_type": "not a name", "payload": {}},
        ],
    )
    assert (batch.accepted, batch.duplicates, batch.rejected) == (2, 1, 1)
    assert [item.status for item in batch.data] == [202, 202, 200, 422]
    assert batch.data[2].message.id == first.id
    assert batch.data[0].message.event_id == "inv-1"


def test_typed_errors(herald, uid):
    with pytest.raises(NotFoundError) as err:
        herald.publish("no-such-app-" + uid, "order.paid", {})
    assert (err.value.status, err.value.code) == (404, "not_found")
    assert err.value.message

    herald.create_app("SDK errors", uid=uid)
    with pytest.raises(ValidationError) as err:
        herald.publish(uid, "not a name", {})
    assert (err.value.status, err.value.code, err.value.field) == (422, "validation_error", "event_type")

    with pytest.raises(ConflictError) as err:
        herald.create_app("SDK errors again", uid=uid)
    assert err.value.status == 409

    # The generated functions, called with the SDK's client, raise the same errors.
    with pytest.raises(NotFoundError):
        get_app.sync_detailed("no-such-app-" + uid, client=herald.client)

    with Herald(herald.client._base_url.removesuffix("/api/v1"), "wrong-token") as stranger:
        with pytest.raises(UnauthorizedError) as err:
            stranger.create_app("nope")
    assert isinstance(err.value, HeraldError) and err.value.status == 401
