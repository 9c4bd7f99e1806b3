import datetime
from http import HTTPStatus
from typing import Any, Literal
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_body import ErrorBody
from ...models.stats_view import StatsView
from ...models.stats_window import StatsWindow
from ...types import UNSET, Response, Unset


def _get_kwargs(
    app: str,
    endpoint: str,
    *,
    window: Literal[""] | StatsWindow | Unset = UNSET,
    since: datetime.datetime | Literal[""] | Unset = UNSET,
    until: datetime.datetime | Literal[""] | Unset = UNSET,
    buckets: int | Literal[""] | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_window: Literal[""] | str | Unset
    if isinstance(window, Unset):
        json_window = UNSET
    elif isinstance(window, StatsWindow):
        json_window = window.value
    else:
        json_window = window
    params["window"] = json_window

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

    json_buckets: int | Literal[""] | Unset
    if isinstance(buckets, Unset):
        json_buckets = UNSET
    else:
        json_buckets = buckets
    params["buckets"] = json_buckets

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/apps/{app}/endpoints/{endpoint}/stats".format(
            app=quote(str(app), safe=""),
            endpoint=quote(str(endpoint), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> ErrorBody | StatsView | None:
    if response.status_code == 200:
        response_200 = StatsView.from_dict(response.json())

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
) -> Response[ErrorBody | StatsView]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    app: str,
    endpoint: str,
    *,
    client: AuthenticatedClient | Client,
    window: Literal[""] | StatsWindow | Unset = UNSET,
    since: datetime.datetime | Literal[""] | Unset = UNSET,
    until: datetime.datetime | Literal[""] | Unset = UNSET,
    buckets: int | Literal[""] | Unset = UNSET,
) -> Response[ErrorBody | StatsView]:
    """Delivery statistics of an endpoint over a window

    Args:
        app (str):
        endpoint (str):
        window (Literal[''] | StatsWindow | Unset):
        since (datetime.datetime | Literal[''] | Unset):
        until (datetime.datetime | Literal[''] | Unset):
        buckets (int | Literal[''] | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | StatsView]
    """

    kwargs = _get_kwargs(
        app=app,
        endpoint=endpoint,
        window=window,
        since=since,
        until=until,
        buckets=buckets,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    app: str,
    endpoint: str,
    *,
    client: AuthenticatedClient | Client,
    window: Literal[""] | StatsWindow | Unset = UNSET,
    since: datetime.datetime | Literal[""] | Unset = UNSET,
    until: datetime.datetime | Literal[""] | Unset = UNSET,
    buckets: int | Literal[""] | Unset = UNSET,
) -> ErrorBody | StatsView | None:
    """Delivery statistics of an endpoint over a window

    Args:
        app (str):
        endpoint (str):
        window (Literal[''] | StatsWindow | Unset):
        since (datetime.datetime | Literal[''] | Unset):
        until (datetime.datetime | Literal[''] | Unset):
        buckets (int | Literal[''] | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | StatsView
    """

    return sync_detailed(
        app=app,
        endpoint=endpoint,
        client=client,
        window=window,
        since=since,
        until=until,
        buckets=buckets,
    ).parsed


async def asyncio_detailed(
    app: str,
    endpoint: str,
    *,
    client: AuthenticatedClient | Client,
    window: Literal[""] | StatsWindow | Unset = UNSET,
    since: datetime.datetime | Literal[""] | Unset = UNSET,
    until: datetime.datetime | Literal[""] | Unset = UNSET,
    buckets: int | Literal[""] | Unset = UNSET,
) -> Response[ErrorBody | StatsView]:
    """Delivery statistics of an endpoint over a window

    Args:
        app (str):
        endpoint (str):
        window (Literal[''] | StatsWindow | Unset):
        since (datetime.datetime | Literal[''] | Unset):
        until (datetime.datetime | Literal[''] | Unset):
        buckets (int | Literal[''] | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | StatsView]
    """

    kwargs = _get_kwargs(
        app=app,
        endpoint=endpoint,
        window=window,
        since=since,
        until=until,
        buckets=buckets,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    app: str,
    endpoint: str,
    *,
    client: AuthenticatedClient | Client,
    window: Literal[""] | StatsWindow | Unset = UNSET,
    since: datetime.datetime | Literal[""] | Unset = UNSET,
    until: datetime.datetime | Literal[""] | Unset = UNSET,
    buckets: int | Literal[""] | Unset = UNSET,
) -> ErrorBody | StatsView | None:
    """Delivery statistics of an endpoint over a window

    Args:
        app (str):
        endpoint (str):
        window (Literal[''] | StatsWindow | Unset):
        since (datetime.datetime | Literal[''] | Unset):
        until (datetime.datetime | Literal[''] | Unset):
        buckets (int | Literal[''] | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | StatsView
    """

    return (
        await asyncio_detailed(
            app=app,
            endpoint=endpoint,
            client=client,
            window=window,
            since=since,
            until=until,
            buckets=buckets,
        )
    ).parsed
