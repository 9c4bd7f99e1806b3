from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="TlsInput")


@_attrs_define
class TlsInput:
    """TLS towards the receiver: a client certificate (PEM chain and key) and CA
    certificates to trust besides the public roots.

        Attributes:
            ca_bundle (None | str | Unset):
            client_cert (None | str | Unset):
            client_key (None | str | Unset): Write-only; on update, left out keeps the current one.
    """

    ca_bundle: None | str | Unset = UNSET
    client_cert: None | str | Unset = UNSET
    client_key: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
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

        client_key: None | str | Unset
        if isinstance(self.client_key, Unset):
            client_key = UNSET
        else:
            client_key = self.client_key

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if ca_bundle is not UNSET:
            field_dict["ca_bundle"] = ca_bundle
        if client_cert is not UNSET:
            field_dict["client_cert"] = client_cert
        if client_key is not UNSET:
            field_dict["client_key"] = client_key

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

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

        def _parse_client_key(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        client_key = _parse_client_key(d.pop("client_key", UNSET))

        tls_input = cls(
            ca_bundle=ca_bundle,
            client_cert=client_cert,
            client_key=client_key,
        )

        return tls_input
