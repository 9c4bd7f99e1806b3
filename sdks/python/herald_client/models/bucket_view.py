from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="BucketView")


@_attrs_define
class BucketView:
    """One part of the window.

    Attributes:
        attempts (int): Requests made.
        delivered (int): Deliveries that reached delivered.
        failed (int): Deliveries that ended failed and are failed still.
        since (datetime.datetime):
    """

    attempts: int
    delivered: int
    failed: int
    since: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        attempts = self.attempts

        delivered = self.delivered

        failed = self.failed

        since = self.since.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "attempts": attempts,
                "delivered": delivered,
                "failed": failed,
                "since": since,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        attempts = d.pop("attempts")

        delivered = d.pop("delivered")

        failed = d.pop("failed")

        since = datetime.datetime.fromisoformat(d.pop("since"))

        bucket_view = cls(
            attempts=attempts,
            delivered=delivered,
            failed=failed,
            since=since,
        )

        bucket_view.additional_properties = d
        return bucket_view

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
