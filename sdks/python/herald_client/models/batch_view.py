from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.batch_item import BatchItem


T = TypeVar("T", bound="BatchView")


@_attrs_define
class BatchView:
    """
    Attributes:
        accepted (int): How many were stored now.
        data (list[BatchItem]): One answer per element of `events`, in the same order.
        duplicates (int): How many were earlier messages (same `event_id`).
        rejected (int): How many failed.
    """

    accepted: int
    data: list[BatchItem]
    duplicates: int
    rejected: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        accepted = self.accepted

        data = []
        for data_item_data in self.data:
            data_item = data_item_data.to_dict()
            data.append(data_item)

        duplicates = self.duplicates

        rejected = self.rejected

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "accepted": accepted,
                "data": data,
                "duplicates": duplicates,
                "rejected": rejected,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.batch_item import BatchItem  # noqa: PLC0415

        d = dict(src_dict)
        accepted = d.pop("accepted")

        data = []
        _data = d.pop("data")
        for data_item_data in _data:
            data_item = BatchItem.from_dict(data_item_data)

            data.append(data_item)

        duplicates = d.pop("duplicates")

        rejected = d.pop("rejected")

        batch_view = cls(
            accepted=accepted,
            data=data,
            duplicates=duplicates,
            rejected=rejected,
        )

        batch_view.additional_properties = d
        return batch_view

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
