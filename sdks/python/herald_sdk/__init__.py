"""Herald's Python SDK: `Herald` for the common calls, typed errors, and
`Webhook` to verify what Herald sends. The full API is the generated
`herald_client` package (`Herald(...).client` is its authenticated client)."""

from .client import Herald
from .errors import (
    BadRequestError,
    ConflictError,
    ForbiddenError,
    HeraldError,
    NotFoundError,
    PayloadTooLargeError,
    RateLimitedError,
    ServerError,
    UnauthorizedError,
    ValidationError,
)
from .webhooks import Webhook, WebhookVerificationError

__all__ = [
    "BadRequestError",
    "ConflictError",
    "ForbiddenError",
    "Herald",
    "HeraldError",
    "NotFoundError",
    "PayloadTooLargeError",
    "RateLimitedError",
    "ServerError",
    "UnauthorizedError",
    "ValidationError",
    "Webhook",
    "WebhookVerificationError",
]
