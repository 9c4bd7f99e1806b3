from http import HTTPStatus
from typing import Any, Literal
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.attempt_view import AttemptView
from ...models.error_body import ErrorBody
from ...types import UNSET, Response, Unset


def _get_kwargs(
    app: str,
    message: str,
    endpoint: str,
    *,
    only_failed: bool | Literal[""] | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_only_failed: bool | Literal[""] | Unset
    if isinstance(only_failed, Unset):
        json_only_failed = UNSET
    else:
        json_only_failed = only_failed
    params["only_failed"] = json_only_failed

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/apps/{app}/messages/{message}/endpoints/{endpoint}/replay".format(
            app=quote(str(app), safe=""),
            message=quote(str(message), safe=""),
            endpoint=quote(str(endpoint), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> AttemptView | ErrorBody | None:
    if response.status_code == 200:
        response_200 = AttemptView.from_dict(response.json())

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
) -> Response[AttemptView | ErrorBody]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    app: str,
    message: str,
    endpoint: str,
    *,
    client: AuthenticatedClient | Client,
    only_failed: bool | Literal[""] | Unset = UNSET,
) -> Response[AttemptView | ErrorBody]:
    """Send a message to one endpoint again, now (a manual attempt, logged as such)

    Args:
        app (str):
        message (str):
        endpoint (str):
        only_failed (bool | Literal[''] | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AttemptView | ErrorBody]
    """

    kwargs = _get_kwargs(
        app=app,
        message=message,
        endpoint=endpoint,
        only_failed=only_failed,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    app: str,
    message: str,
    endpoint: str,
    *,
    client: AuthenticatedClient | Client,
    only_failed: bool | Literal[""] | Unset = UNSET,
) -> AttemptView | ErrorBody | None:
    """Send a message to one endpoint again, now (a manual attempt, logged as such)

    Args:
        app (str):
        message (str):
        endpoint (str):
        only_failed (bool | Literal[''] | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AttemptView | ErrorBody
    """

    return sync_detailed(
        app=app,
        message=message,
        endpoint=endpoint,
        client=client,
        only_failed=only_failed,
    ).parsed


async def asyncio_detailed(
    app: str,
    message: str,
    endpoint: str,
    *,
    client: AuthenticatedClient | Client,
    only_failed: bool | Literal[""] | Unset = UNSET,
) -> Response[AttemptView | ErrorBody]:
    """Send a message to one endpoint again, now (a manual attempt, logged as such)

    Args:
        app (str):
        message (str):
        endpoint (str):
        only_failed (bool | Literal[''] | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AttemptView | ErrorBody]
    """

    kwargs = _get_kwargs(
        app=app,
        message=message,
        endpoint=endpoint,
        only_failed=only_failed,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    app: str,
    message: str,
    endpoint: str,
    *,
    client: AuthenticatedClient | Client,
    only_failed: bool | Literal[""] | Unset = UNSET,
) -> AttemptView | ErrorBody | None:
    """Send a message to one endpoint again, now (a manual attempt, logged as such)

    Args:
        app (str):
        message (str):
        endpoint (str):
        only_failed (bool | Literal[''] | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AttemptView | ErrorBody
    """

    return (
        await asyncio_detailed(
            app=app,
            message=message,
            endpoint=endpoint,
            client=client,
            only_failed=only_failed,
        )
    ).parsed
