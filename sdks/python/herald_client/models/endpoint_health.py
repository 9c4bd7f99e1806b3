from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.figures import Figures


T = TypeVar("T", bound="EndpointHealth")


@_attrs_define
class EndpointHealth:
    """One endpoint on the dashboard.

    Attributes:
        day (Figures): Figures over one window.
        description (str):
        disabled (bool):
        id (str):
        paused (bool):
        url (str):
        week (Figures): Figures over one window.
    """

    day: Figures
    description: str
    disabled: bool
    id: str
    paused: bool
    url: str
    week: Figures
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        day = self.day.to_dict()

        description = self.description

        disabled = self.disabled

        id = self.id

        paused = self.paused

        url = self.url

        week = self.week.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "day": day,
                "description": description,
                "disabled": disabled,
                "id": id,
                "paused": paused,
                "url": url,
                "week": week,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.figures import Figures  # noqa: PLC0415

        d = dict(src_dict)
        day = Figures.from_dict(d.pop("day"))

        description = d.pop("description")

        disabled = d.pop("disabled")

        id = d.pop("id")

        paused = d.pop("paused")

        url = d.pop("url")

        week = Figures.from_dict(d.pop("week"))

        endpoint_health = cls(
            day=day,
            description=description,
            disabled=disabled,
            id=id,
            paused=paused,
            url=url,
            week=week,
        )

        endpoint_health.additional_properties = d
        return endpoint_health

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
