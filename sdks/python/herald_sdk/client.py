"""A thin layer over the generated client (`herald_client`) for the common calls.

Everything else is the generated client's: `Herald(...).client` is a
`herald_client.AuthenticatedClient`, to pass to any function of
`herald_client.api`; its error answers raise the same typed errors.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, TypeVar

import httpx

from herald_client import AuthenticatedClient
from herald_client.api.applications import create_app
from herald_client.api.delivery_log import list_dead_letters, replay
from herald_client.api.endpoints import create_endpoint, get_endpoint_secret
from herald_client.api.messages import create_message, create_messages
from herald_client.models import (
    AppView,
    AttemptView,
    BatchView,
    CreateApp,
    CreateBatch,
    CreateEndpoint,
    CreateMessage,
    DeadLetterView,
    EndpointView,
    ListResponseDeadLetterView,
    MessageView,
)
from herald_client.types import UNSET, Response

from .errors import HeraldError, raise_for_error

T = TypeVar("T")


def _present(fields: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in fields.items() if v is not None}


def _time(value: datetime.datetime | str | None) -> Any:
    if value is None:
        return UNSET
    return datetime.datetime.fromisoformat(value) if isinstance(value, str) else value


class Herald:
    """Herald's API at `url` (the server's root, e.g. `http://localhost:8080`)
    with a bearer `token` (admin, or an application's). Extra keyword
    arguments go to `httpx.Client` (e.g. `verify`, `transport`)."""

    def __init__(self, url: str, token: str, *, timeout: float = 30.0, **httpx_args: Any) -> None:
        hooks = httpx_args.pop("event_hooks", {})
        hooks = {**hooks, "response": [*hooks.get("response", []), raise_for_error]}
        self.client = AuthenticatedClient(
            base_url=url.rstrip("/") + "/api/v1",
            token=token,
            timeout=httpx.Timeout(timeout),
            httpx_args={**httpx_args, "event_hooks": hooks},
        )

    def close(self) -> None:
        self.client.get_httpx_client().close()

    def __enter__(self) -> Herald:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @staticmethod
    def _parsed(response: Response[Any], cls: type[T]) -> T:
        # Error answers raised already (the response hook); anything else
        # unexpected is said, not returned as None.
        if not isinstance(response.parsed, cls):
            raise HeraldError(int(response.status_code), "unexpected_answer", f"not a {cls.__name__}")
        return response.parsed

    def publish(
        self,
        app: str,
        event_type: str,
        payload: Any,
        *,
        event_id: str | None = None,
        timestamp: datetime.datetime | str | None = None,
        ordering_key: str | None = None,
    ) -> MessageView:
        """Publishes one event to application `app` (id or uid). With an
        `event_id`, a repeat is stored once and answers the original message."""
        body = CreateMessage(
            event_type=event_type,
            payload=payload,
            event_id=event_id if event_id is not None else UNSET,
            timestamp=_time(timestamp),
            ordering_key=ordering_key if ordering_key is not None else UNSET,
        )
        return self._parsed(create_message.sync_detailed(app, client=self.client, body=body), MessageView)

    def publish_batch(self, app: str, events: Iterable[CreateMessage | Mapping[str, Any]]) -> BatchView:
        """Publishes up to `limits.batch_events` (100) events in one request,
        stored as one unit. Each event is a `CreateMessage` or a dict of the
        publish body (`event_type`, `payload`, `event_id`, ...). The answer
        has one item per event, in order: `status` 202 stored, 200 a
        duplicate `event_id`, 4xx with `error` for that event alone."""
        items = [e if isinstance(e, CreateMessage) else CreateMessage.from_dict(_present(e)) for e in events]
        body = CreateBatch(events=items)
        return self._parsed(create_messages.sync_detailed(app, client=self.client, body=body), BatchView)

    def create_app(self, name: str, *, uid: str | None = None, **fields: Any) -> AppView:
        """Creates an application (one per customer of yours); `fields` are the
        other fields of the API's body (`metadata`, `profile`, `contact_email`, ...)."""
        body = CreateApp.from_dict(_present({"name": name, "uid": uid, **fields}))
        return self._parsed(create_app.sync_detailed(client=self.client, body=body), AppView)

    def create_endpoint(
        self, app: str, url: str, *, event_types: list[str] | None = None, **fields: Any
    ) -> EndpointView:
        """Creates an endpoint of application `app`; `event_types` (names or
        `*` patterns) it receives, none: every type; `fields` are the other
        fields of the API's body (`description`, `secret`, `headers`, ...)."""
        body = CreateEndpoint.from_dict(_present({"url": url, "event_types": event_types, **fields}))
        return self._parsed(create_endpoint.sync_detailed(app, client=self.client, body=body), EndpointView)

    def endpoint_secret(self, app: str, endpoint: str) -> str:
        """The endpoint's signing secret (`whsec_...`), for `Webhook`."""
        response = get_endpoint_secret.sync_detailed(app, endpoint, client=self.client)
        if response.parsed is None or "key" not in response.parsed.additional_properties:
            raise HeraldError(int(response.status_code), "unexpected_answer", "no `key` in the answer")
        return str(response.parsed.additional_properties["key"])

    def list_failed(
        self,
        app: str,
        *,
        endpoint: str | None = None,
        event_type: str | None = None,
        since: datetime.datetime | str | None = None,
        until: datetime.datetime | str | None = None,
        limit: int | None = None,
        iterator: str | None = None,
    ) -> ListResponseDeadLetterView:
        """One page of failed deliveries (retries exhausted), newest first:
        `data`, `iterator` (pass it for the next page) and `done`."""
        response = list_dead_letters.sync_detailed(
            app,
            client=self.client,
            endpoint=endpoint if endpoint is not None else UNSET,
            event_type=event_type if event_type is not None else UNSET,
            since=_time(since),
            until=_time(until),
            limit=limit if limit is not None else UNSET,
            iterator=iterator if iterator is not None else UNSET,
        )
        return self._parsed(response, ListResponseDeadLetterView)

    def iter_failed(self, app: str, **filters: Any) -> Iterator[DeadLetterView]:
        """Every failed delivery matching `filters` (those of `list_failed`), page after page."""
        iterator = filters.pop("iterator", None)
        while True:
            page = self.list_failed(app, iterator=iterator, **filters)
            yield from page.data
            if page.done or not isinstance(page.iterator, str):
                return
            iterator = page.iterator

    def replay(self, app: str, message: str, endpoint: str, *, only_failed: bool = False) -> AttemptView:
        """Sends `message` to `endpoint` again now, as a manual attempt, and
        answers that attempt (`status`, `status_code`, ...). The delivery must
        have ended (409 otherwise); `only_failed` refuses a delivered one
        (409 `already_delivered`)."""
        response = replay.sync_detailed(
            app, message, endpoint, client=self.client, only_failed=only_failed if only_failed else UNSET
        )
        return self._parsed(response, AttemptView)
