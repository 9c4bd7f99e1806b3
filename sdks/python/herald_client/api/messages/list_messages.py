import datetime
from http import HTTPStatus
from typing import Any, Literal
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.delivery_status import DeliveryStatus
from ...models.error_body import ErrorBody
from ...models.list_response_message_view import ListResponseMessageView
from ...types import UNSET, Response, Unset


def _get_kwargs(
    app: str,
    *,
    limit: int | Literal[""] | Unset = UNSET,
    iterator: Literal[""] | str | Unset = UNSET,
    event_type: Literal[""] | str | Unset = UNSET,
    since: datetime.datetime | Literal[""] | Unset = UNSET,
    until: datetime.datetime | Literal[""] | Unset = UNSET,
    status: DeliveryStatus | Literal[""] | Unset = UNSET,
    endpoint: Literal[""] | str | Unset = UNSET,
    with_deliveries: bool | Literal[""] | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_limit: int | Literal[""] | Unset
    if isinstance(limit, Unset):
        json_limit = UNSET
    else:
        json_limit = limit
    params["limit"] = json_limit

    json_iterator: Literal[""] | str | Unset
    if isinstance(iterator, Unset):
        json_iterator = UNSET
    else:
        json_iterator = iterator
    params["iterator"] = json_iterator

    json_event_type: Literal[""] | str | Unset
    if isinstance(event_type, Unset):
        json_event_type = UNSET
    else:
        json_event_type = event_type
    params["event_type"] = json_event_type

    json_since: Literal[""] | str | Unset
    if isinstance(since, Unset):
        json_since = UNSET
    elif isinstance(since, datetime.datetime):
        json_since = since.isoformat()
    else:
        json_since = since
    params["since"] = json_since

    json_until: Literal[""] | str | Unset
    if isinstance(until, Unset):
        json_until = UNSET
    elif isinstance(until, datetime.datetime):
        json_until = until.isoformat()
    else:
        json_until = until
    params["until"] = json_until

    json_status: Literal[""] | str | Unset
    if isinstance(status, Unset):
        json_status = UNSET
    elif isinstance(status, DeliveryStatus):
        json_status = status.value
    else:
        json_status = status
    params["status"] = json_status

    json_endpoint: Literal[""] | str | Unset
    if isinstance(endpoint, Unset):
        json_endpoint = UNSET
    else:
        json_endpoint = endpoint
    params["endpoint"] = json_endpoint

    json_with_deliveries: bool | Literal[""] | Unset
    if isinstance(with_deliveries, Unset):
        json_with_deliveries = UNSET
    else:
        json_with_deliveries = with_deliveries
    params["with_deliveries"] = json_with_deliveries

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/apps/{app}/messages".format(
            app=quote(str(app), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorBody | ListResponseMessageView | None:
    if response.status_code == 200:
        response_200 = ListResponseMessageView.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = ErrorBody.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = ErrorBody.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = ErrorBody.from_dict(response.json())

        return response_403

    if response.status_code == 404:
        response_404 = ErrorBody.from_dict(response.json())

        return response_404

    if response.status_code == 409:
        response_409 = ErrorBody.from_dict(response.json())

        return response_409

    if response.status_code == 413:
        response_413 = ErrorBody.from_dict(response.json())

        return response_413

    if response.status_code == 415:
        response_415 = ErrorBody.from_dict(response.json())

        return response_415

    if response.status_code == 422:
        response_422 = ErrorBody.from_dict(response.json())

        return response_422

    if response.status_code == 429:
        response_429 = ErrorBody.from_dict(response.json())

        return response_429

    if response.status_code == 503:
        response_503 = ErrorBody.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ErrorBody | ListResponseMessageView]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    app: str,
    *,
    client: AuthenticatedClient | Client,
    limit: int | Literal[""] | Unset = UNSET,
    iterator: Literal[""] | str | Unset = UNSET,
    event_type: Literal[""] | str | Unset = UNSET,
    since: datetime.datetime | Literal[""] | Unset = UNSET,
    until: datetime.datetime | Literal[""] | Unset = UNSET,
    status: DeliveryStatus | Literal[""] | Unset = UNSET,
    endpoint: Literal[""] | str | Unset = UNSET,
    with_deliveries: bool | Literal[""] | Unset = UNSET,
) -> Response[ErrorBody | ListResponseMessageView]:
    """List messages, newest first, filtered by event type, time, delivery status and endpoint
    (reconciliation)

    Args:
        app (str):
        limit (int | Literal[''] | Unset):
        iterator (Literal[''] | str | Unset):
        event_type (Literal[''] | str | Unset):
        since (datetime.datetime | Literal[''] | Unset):
        until (datetime.datetime | Literal[''] | Unset):
        status (DeliveryStatus | Literal[''] | Unset):
        endpoint (Literal[''] | str | Unset):
        with_deliveries (bool | Literal[''] | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | ListResponseMessageView]
    """

    kwargs = _get_kwargs(
        app=app,
        limit=limit,
        iterator=iterator,
        event_type=event_type,
        since=since,
        until=until,
        status=status,
        endpoint=endpoint,
        with_deliveries=with_deliveries,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    app: str,
    *,
    client: AuthenticatedClient | Client,
    limit: int | Literal[""] | Unset = UNSET,
    iterator: Literal[""] | str | Unset = UNSET,
    event_type: Literal[""] | str | Unset = UNSET,
    since: datetime.datetime | Literal[""] | Unset = UNSET,
    until: datetime.datetime | Literal[""] | Unset = UNSET,
    status: DeliveryStatus | Literal[""] | Unset = UNSET,
    endpoint: Literal[""] | str | Unset = UNSET,
    with_deliveries: bool | Literal[""] | Unset = UNSET,
) -> ErrorBody | ListResponseMessageView | None:
    """List messages, newest first, filtered by event type, time, delivery status and endpoint
    (reconciliation)

    Args:
        app (str):
        limit (int | Literal[''] | Unset):
        iterator (Literal[''] | str | Unset):
        event_type (Literal[''] | str | Unset):
        since (datetime.datetime | Literal[''] | Unset):
        until (datetime.datetime | Literal[''] | Unset):
        status (DeliveryStatus | Literal[''] | Unset):
        endpoint (Literal[''] | str | Unset):
        with_deliveries (bool | Literal[''] | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | ListResponseMessageView
    """

    return sync_detailed(
        app=app,
        client=client,
        limit=limit,
        iterator=iterator,
        event_type=event_type,
        since=since,
        until=until,
        status=status,
        endpoint=endpoint,
        with_deliveries=with_deliveries,
    ).parsed


async def asyncio_detailed(
    app: str,
    *,
    client: AuthenticatedClient | Client,
    limit: int | Literal[""] | Unset = UNSET,
    iterator: Literal[""] | str | Unset = UNSET,
    event_type: Literal[""] | str | Unset = UNSET,
    since: datetime.datetime | Literal[""] | Unset = UNSET,
    until: datetime.datetime | Literal[""] | Unset = UNSET,
    status: DeliveryStatus | Literal[""] | Unset = UNSET,
    endpoint: Literal[""] | str | Unset = UNSET,
    with_deliveries: bool | Literal[""] | Unset = UNSET,
) -> Response[ErrorBody | ListResponseMessageView]:
    """List messages, newest first, filtered by event type, time, delivery status and endpoint
    (reconciliation)

    Args:
        app (str):
        limit (int | Literal[''] | Unset):
        iterator (Literal[''] | str | Unset):
        event_type (Literal[''] | str | Unset):
        since (datetime.datetime | Literal[''] | Unset):
        until (datetime.datetime | Literal[''] | Unset):
        status (DeliveryStatus | Literal[''] | Unset):
        endpoint (Literal[''] | str | Unset):
        with_deliveries (bool | Literal[''] | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | ListResponseMessageView]
    """

    kwargs = _get_kwargs(
        app=app,
        limit=limit,
        iterator=iterator,
        event_type=event_type,
        since=since,
        until=until,
        status=status,
        endpoint=endpoint,
        with_deliveries=with_deliveries,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    app: str,
    *,
    client: AuthenticatedClient | Client,
    limit: int | Literal[""] | Unset = UNSET,
    iterator: Literal[""] | str | Unset = UNSET,
    event_type: Literal[""] | str | Unset = UNSET,
    since: datetime.datetime | Literal[""] | Unset = UNSET,
    until: datetime.datetime | Literal[""] | Unset = UNSET,
    status: DeliveryStatus | Literal[""] | Unset = UNSET,
    endpoint: Literal[""] | str | Unset = UNSET,
    with_deliveries: bool | Literal[""] | Unset = UNSET,
) -> ErrorBody | ListResponseMessageView | None:
    """List messages, newest first, filtered by event type, time, delivery status and endpoint
    (reconciliation)

    Args:
        app (str):
        limit (int | Literal[''] | Unset):
        iterator (Literal[''] | str | Unset):
        event_type (Literal[''] | str | Unset):
        since (datetime.datetime | Literal[''] | Unset):
        until (datetime.datetime | Literal[''] | Unset):
        status (DeliveryStatus | Literal[''] | Unset):
        endpoint (Literal[''] | str | Unset):
        with_deliveries (bool | Literal[''] | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | ListResponseMessageView
    """

    return (
        await asyncio_detailed(
            app=app,
            client=client,
            limit=limit,
            iterator=iterator,
            event_type=event_type,
            since=since,
            until=until,
            status=status,
            endpoint=endpoint,
            with_deliveries=with_deliveries,
        )
    ).parsed
