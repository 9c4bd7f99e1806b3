"""The shared webhook vectors (sdks/testdata/webhook-vectors.json, the same as crates/herald-verify's)."""

import json
import pathlib

import pytest

from herald_sdk import Webhook, WebhookVerificationError

VECTORS = json.loads((pathlib.Path(__file__).parents[2] / "testdata" / "webhook-vectors.json").read_text())


@pytest.mark.parametrize("case", VECTORS["cases"], ids=[c["name"] for c in VECTORS["cases"]])
def test_vector(case):
    wh = Webhook(case["keys"], tolerance=None if case["now"] is None else 300)
    headers = {"Webhook-Id": case["id"], "webhook-timestamp": case["timestamp"]}
    if case["signature"] is not None:
        headers["WEBHOOK-SIGNATURE"] = case["signature"]
    body = case["body"].encode()
    if case["expect"] == "ok":
        wh.verify(headers, body, now=case["now"])
    else:
        with pytest.raises(WebhookVerificationError) as err:
            wh.verify(headers, body, now=case["now"])
        assert err.value.kind == case["expect"]


@pytest.mark.parametrize("key", VECTORS["invalid_keys"])
def test_invalid_keys_are_refused(key):
    with pytest.raises(WebhookVerificationError) as err:
        Webhook(key)
    assert err.value.kind == "invalid_key"
