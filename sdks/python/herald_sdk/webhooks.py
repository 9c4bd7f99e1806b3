"""Verifying the webhooks Herald sends (Standard Webhooks, `v1` entries).

The signature is `base64(HMAC-SHA256(key, "{webhook-id}.{webhook-timestamp}.{raw body}"))`
where the key is the base64 after `whsec_` in the endpoint's secret, sent in
`webhook-signature` as space-separated `v1,<signature>` entries. Verify the
raw body as received: a body parsed and serialised again does not verify.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import time
from collections.abc import Iterable, Mapping


class WebhookVerificationError(Exception):
    """Why a webhook did not verify: `kind` is `no_match` (no entry matches any
    key), `timestamp` (too far from now), `missing_header`, `invalid_header`
    or `invalid_key` (a secret that is not `whsec_<base64>`)."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


def _key(secret: str) -> bytes:
    if not secret.startswith("whsec_"):
        raise WebhookVerificationError("invalid_key", "a secret starts with `whsec_`")
    try:
        return base64.b64decode(secret[len("whsec_") :], validate=True)
    except (binascii.Error, ValueError):
        raise WebhookVerificationError("invalid_key", "`whsec_` must be followed by base64") from None


class Webhook:
    """Verifies webhooks with one secret, or several during a rotation.

    `tolerance` is how far (seconds) `webhook-timestamp` may be from now
    (default 300); `None` skips that check, e.g. for a stored payload
    verified later.
    """

    def __init__(self, secrets: str | Iterable[str], *, tolerance: int | None = 300) -> None:
        if isinstance(secrets, str):
            secrets = [secrets]
        self._keys = [_key(s) for s in secrets]
        if not self._keys:
            raise WebhookVerificationError("invalid_key", "no secret given")
        self.tolerance = tolerance

    def verify(self, headers: Mapping[str, str], body: bytes | str, *, now: int | None = None) -> None:
        """Verifies the request's headers (any case) and raw body; raises
        WebhookVerificationError when it does not verify."""
        lower = {k.lower(): v for k, v in headers.items()}

        def get(name: str) -> str:
            if name not in lower:
                raise WebhookVerificationError("missing_header", f"no `{name}` header")
            return lower[name]

        self.verify_parts(get("webhook-id"), get("webhook-timestamp"), get("webhook-signature"), body, now=now)

    def verify_parts(
        self, msg_id: str, timestamp: str, signature: str, body: bytes | str, *, now: int | None = None
    ) -> None:
        """Verifies the three header values and the raw body."""
        ts = timestamp.strip()
        if not ts.lstrip("-").isdigit():
            raise WebhookVerificationError("invalid_header", "`webhook-timestamp` is not a number")
        if self.tolerance is not None:
            current = int(time.time()) if now is None else now
            if abs(current - int(ts)) > self.tolerance:
                raise WebhookVerificationError("timestamp", "`webhook-timestamp` is too far from now")
        raw = body.encode() if isinstance(body, str) else bytes(body)
        signed = f"{msg_id}.{ts}.".encode() + raw
        expected = [base64.b64encode(hmac.new(k, signed, hashlib.sha256).digest()) for k in self._keys]
        for entry in signature.split(" "):
            version, _, sig = entry.partition(",")
            if version != "v1" or not sig:
                continue
            for mac in expected:
                # Constant time.
                if hmac.compare_digest(mac, sig.encode()):
                    return
        raise WebhookVerificationError("no_match", "no signature matches")
