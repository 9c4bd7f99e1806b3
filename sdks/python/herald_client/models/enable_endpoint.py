from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="EnableEndpoint")


@_attrs_define
class EnableEndpoint:
    """
    Attributes:
        recover (bool | Unset): Also re-queue the deliveries that failed since the endpoint started
            failing (or was disabled), as a bulk recovery job.
    """

    recover: bool | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        recover = self.recover

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if recover is not UNSET:
            field_dict["recover"] = recover

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        recover = d.pop("recover", UNSET)

        enable_endpoint = cls(
            recover=recover,
        )

        return enable_endpoint
