"""Typed errors: every answer of 400 or more from Herald raises one.

Herald answers errors as JSON `{"code": "...", "message": "...", "field": ...}`
(`field` on 422). The class follows the status; `code` is Herald's own
(e.g. `not_found`, `validation_error`, `conflict`, `already_delivered`).
"""

from __future__ import annotations

import json
from typing import Any

import httpx


class HeraldError(Exception):
    """An error answer from Herald: `status`, `code`, `message`, and `field`
    (the offending field, on 422), `retry_after` (seconds, on 429 and 503)
    and `body` (the answer's JSON, or its text when it was not JSON)."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        field: str | None = None,
        retry_after: int | None = None,
        body: Any = None,
    ) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.retry_after = retry_after
        self.body = body


class BadRequestError(HeraldError):
    """400: the body is not JSON, or the request is malformed."""


class UnauthorizedError(HeraldError):
    """401: no token, or an unknown, revoked or expired one."""


class ForbiddenError(HeraldError):
    """403: an application token outside its application."""


class NotFoundError(HeraldError):
    """404: no such application, endpoint, message, ..."""


class ConflictError(HeraldError):
    """409: a conflict with how things are now (a taken uid, a delivery not ended, ...)."""


class PayloadTooLargeError(HeraldError):
    """413: the body is larger than the server takes."""


class ValidationError(HeraldError):
    """422: a field's value is refused; `field` names it."""


class RateLimitedError(HeraldError):
    """429: the token's rate is exceeded; try again after `retry_after` seconds."""


class ServerError(HeraldError):
    """5xx: 503 `database_unavailable` (with `retry_after`) or 500 `internal_error`."""


_BY_STATUS: dict[int, type[HeraldError]] = {
    400: BadRequestError,
    401: UnauthorizedError,
    403: ForbiddenError,
    404: NotFoundError,
    409: ConflictError,
    413: PayloadTooLargeError,
    422: ValidationError,
    429: RateLimitedError,
}


def error_from_response(response: httpx.Response) -> HeraldError:
    """The typed error for an answer of 400 or more (its body must have been read)."""
    status = response.status_code
    body: Any
    try:
        body = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        body = response.text
    if isinstance(body, dict) and isinstance(body.get("code"), str):
        code, message, field = body["code"], str(body.get("message", "")), body.get("field")
    else:
        code, message, field = "http_error", (response.text or response.reason_phrase)[:500], None
    retry_after: int | None = None
    if response.headers.get("retry-after", "").strip().isdigit():
        retry_after = int(response.headers["retry-after"].strip())
    cls = _BY_STATUS.get(status) or (ServerError if status >= 500 else HeraldError)
    return cls(status, code, message, field=field, retry_after=retry_after, body=body)


def raise_for_error(response: httpx.Response) -> None:
    """An httpx response hook: raises the typed error for an answer of 400 or more."""
    if response.status_code >= 400:
        response.read()
        raise error_from_response(response)
