from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="RequestView")


@_attrs_define
class RequestView:
    """What was sent, as far as Herald can say after the fact.

    Attributes:
        headers (list[list[str]]): In the order sent; masked values read `(hidden)`.
        method (str):
        rebuilt (bool): Always true: rebuilt from the message and the endpoint's current
            settings (see the route's description).
        url (str):
        body (None | str | Unset): The body as sent; `null` once the payload was expunged.
    """

    headers: list[list[str]]
    method: str
    rebuilt: bool
    url: str
    body: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        headers = []
        for headers_item_data in self.headers:
            headers_item = headers_item_data

            headers.append(headers_item)

        method = self.method

        rebuilt = self.rebuilt

        url = self.url

        body: None | str | Unset
        if isinstance(self.body, Unset):
            body = UNSET
        else:
            body = self.body

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "headers": headers,
                "method": method,
                "rebuilt": rebuilt,
                "url": url,
            }
        )
        if body is not UNSET:
            field_dict["body"] = body

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        headers = []
        _headers = d.pop("headers")
        for headers_item_data in _headers:
            headers_item = cast(list[str], headers_item_data)

            headers.append(headers_item)

        method = d.pop("method")

        rebuilt = d.pop("rebuilt")

        url = d.pop("url")

        def _parse_body(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        body = _parse_body(d.pop("body", UNSET))

        request_view = cls(
            headers=headers,
            method=method,
            rebuilt=rebuilt,
            url=url,
            body=body,
        )

        request_view.additional_properties = d
        return request_view

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
