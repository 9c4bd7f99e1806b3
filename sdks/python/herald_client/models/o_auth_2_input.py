from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.client_auth import ClientAuth
from ..types import UNSET, Unset

T = TypeVar("T", bound="OAuth2Input")


@_attrs_define
class OAuth2Input:
    """OAuth2 client credentials: Herald fetches a token from `token_url` and
    sends it as `Authorization: Bearer …`.

        Attributes:
            client_id (str):
            token_url (str):
            audience (None | str | Unset):
            client_auth (ClientAuth | None | Unset):
            client_secret (None | str | Unset): Write-only; on update, left out keeps the current one.
            scopes (list[str] | Unset):
    """

    client_id: str
    token_url: str
    audience: None | str | Unset = UNSET
    client_auth: ClientAuth | None | Unset = UNSET
    client_secret: None | str | Unset = UNSET
    scopes: list[str] | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        client_id = self.client_id

        token_url = self.token_url

        audience: None | str | Unset
        if isinstance(self.audience, Unset):
            audience = UNSET
        else:
            audience = self.audience

        client_auth: None | str | Unset
        if isinstance(self.client_auth, Unset):
            client_auth = UNSET
        elif isinstance(self.client_auth, ClientAuth):
            client_auth = self.client_auth.value
        else:
            client_auth = self.client_auth

        client_secret: None | str | Unset
        if isinstance(self.client_secret, Unset):
            client_secret = UNSET
        else:
            client_secret = self.client_secret

        scopes: list[str] | Unset = UNSET
        if not isinstance(self.scopes, Unset):
            scopes = self.scopes

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "client_id": client_id,
                "token_url": token_url,
            }
        )
        if audience is not UNSET:
            field_dict["audience"] = audience
        if client_auth is not UNSET:
            field_dict["client_auth"] = client_auth
        if client_secret is not UNSET:
            field_dict["client_secret"] = client_secret
        if scopes is not UNSET:
            field_dict["scopes"] = scopes

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        client_id = d.pop("client_id")

        token_url = d.pop("token_url")

        def _parse_audience(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        audience = _parse_audience(d.pop("audience", UNSET))

        def _parse_client_auth(data: object) -> ClientAuth | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                client_auth_type_0 = ClientAuth(data)

                return client_auth_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ClientAuth | None | Unset, data)

        client_auth = _parse_client_auth(d.pop("client_auth", UNSET))

        def _parse_client_secret(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        client_secret = _parse_client_secret(d.pop("client_secret", UNSET))

        scopes = cast(list[str], d.pop("scopes", UNSET))

        o_auth_2_input = cls(
            client_id=client_id,
            token_url=token_url,
            audience=audience,
            client_auth=client_auth,
            client_secret=client_secret,
            scopes=scopes,
        )

        return o_auth_2_input
