from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.signing import Signing
from ..types import UNSET, Unset

T = TypeVar("T", bound="RotateSecret")


@_attrs_define
class RotateSecret:
    """
    Attributes:
        grace_period_secs (int | None | Unset): How long the old secret keeps signing beside the new one (default
            86400, a day; 0 ends it at once; at most 30 days).
        key (None | str | Unset):
        signing (None | Signing | Unset):
    """

    grace_period_secs: int | None | Unset = UNSET
    key: None | str | Unset = UNSET
    signing: None | Signing | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        grace_period_secs: int | None | Unset
        if isinstance(self.grace_period_secs, Unset):
            grace_period_secs = UNSET
        else:
            grace_period_secs = self.grace_period_secs

        key: None | str | Unset
        if isinstance(self.key, Unset):
            key = UNSET
        else:
            key = self.key

        signing: None | str | Unset
        if isinstance(self.signing, Unset):
            signing = UNSET
        elif isinstance(self.signing, Signing):
            signing = self.signing.value
        else:
            signing = self.signing

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if grace_period_secs is not UNSET:
            field_dict["grace_period_secs"] = grace_period_secs
        if key is not UNSET:
            field_dict["key"] = key
        if signing is not UNSET:
            field_dict["signing"] = signing

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_grace_period_secs(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        grace_period_secs = _parse_grace_period_secs(d.pop("grace_period_secs", UNSET))

        def _parse_key(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        key = _parse_key(d.pop("key", UNSET))

        def _parse_signing(data: object) -> None | Signing | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                signing_type_0 = Signing(data)

                return signing_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Signing | Unset, data)

        signing = _parse_signing(d.pop("signing", UNSET))

        rotate_secret = cls(
            grace_period_secs=grace_period_secs,
            key=key,
            signing=signing,
        )

        return rotate_secret
