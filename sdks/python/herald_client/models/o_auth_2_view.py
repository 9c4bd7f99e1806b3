from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="OAuth2View")


@_attrs_define
class OAuth2View:
    """
    Attributes:
        client_auth (str):
        client_id (str):
        scopes (list[str]):
        token_url (str):
        audience (None | str | Unset):
    """

    client_auth: str
    client_id: str
    scopes: list[str]
    token_url: str
    audience: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        client_auth = self.client_auth

        client_id = self.client_id

        scopes = self.scopes

        token_url = self.token_url

        audience: None | str | Unset
        if isinstance(self.audience, Unset):
            audience = UNSET
        else:
            audience = self.audience

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "client_auth": client_auth,
                "client_id": client_id,
                "scopes": scopes,
                "token_url": token_url,
            }
        )
        if audience is not UNSET:
            field_dict["audience"] = audience

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        client_auth = d.pop("client_auth")

        client_id = d.pop("client_id")

        scopes = cast(list[str], d.pop("scopes"))

        token_url = d.pop("token_url")

        def _parse_audience(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        audience = _parse_audience(d.pop("audience", UNSET))

        o_auth_2_view = cls(
            client_auth=client_auth,
            client_id=client_id,
            scopes=scopes,
            token_url=token_url,
            audience=audience,
        )

        o_auth_2_view.additional_properties = d
        return o_auth_2_view

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
