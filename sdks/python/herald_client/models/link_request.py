from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="LinkRequest")


@_attrs_define
class LinkRequest:
    """
    Example:
        {'ttl_secs': 900}

    Attributes:
        ttl_secs (int | None | Unset): How long the link works, in seconds (60 to 604800); default
            `portal.link_ttl_secs`.
    """

    ttl_secs: int | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        ttl_secs: int | None | Unset
        if isinstance(self.ttl_secs, Unset):
            ttl_secs = UNSET
        else:
            ttl_secs = self.ttl_secs

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if ttl_secs is not UNSET:
            field_dict["ttl_secs"] = ttl_secs

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_ttl_secs(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        ttl_secs = _parse_ttl_secs(d.pop("ttl_secs", UNSET))

        link_request = cls(
            ttl_secs=ttl_secs,
        )

        return link_request
