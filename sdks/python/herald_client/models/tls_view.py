from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="TlsView")


@_attrs_define
class TlsView:
    """
    Attributes:
        has_client_key (bool):
        ca_bundle (None | str | Unset):
        client_cert (None | str | Unset):
    """

    has_client_key: bool
    ca_bundle: None | str | Unset = UNSET
    client_cert: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        has_client_key = self.has_client_key

        ca_bundle: None | str | Unset
        if isinstance(self.ca_bundle, Unset):
            ca_bundle = UNSET
        else:
            ca_bundle = self.ca_bundle

        client_cert: None | str | Unset
        if isinstance(self.client_cert, Unset):
            client_cert = UNSET
        else:
            client_cert = self.client_cert

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "has_client_key": has_client_key,
            }
        )
        if ca_bundle is not UNSET:
            field_dict["ca_bundle"] = ca_bundle
        if client_cert is not UNSET:
            field_dict["client_cert"] = client_cert

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        has_client_key = d.pop("has_client_key")

        def _parse_ca_bundle(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        ca_bundle = _parse_ca_bundle(d.pop("ca_bundle", UNSET))

        def _parse_client_cert(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        client_cert = _parse_client_cert(d.pop("client_cert", UNSET))

        tls_view = cls(
            has_client_key=has_client_key,
            ca_bundle=ca_bundle,
            client_cert=client_cert,
        )

        tls_view.additional_properties = d
        return tls_view

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
