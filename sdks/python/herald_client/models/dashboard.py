from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.endpoint_health import EndpointHealth
    from ..models.figures import Figures


T = TypeVar("T", bound="Dashboard")


@_attrs_define
class Dashboard:
    """The application's figures and its endpoints' health.

    Attributes:
        backlog (int): Deliveries waiting now (pending or retrying).
        day (Figures): Figures over one window.
        endpoints (list[EndpointHealth]): Every endpoint (up to 250), the failing first, then degraded,
            healthy and idle ones (over 24 hours, then over 7 days).
        until (datetime.datetime):
        week (Figures): Figures over one window.
    """

    backlog: int
    day: Figures
    endpoints: list[EndpointHealth]
    until: datetime.datetime
    week: Figures
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        backlog = self.backlog

        day = self.day.to_dict()

        endpoints = []
        for endpoints_item_data in self.endpoints:
            endpoints_item = endpoints_item_data.to_dict()
            endpoints.append(endpoints_item)

        until = self.until.isoformat()

        week = self.week.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "backlog": backlog,
                "day": day,
                "endpoints": endpoints,
                "until": until,
                "week": week,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.endpoint_health import EndpointHealth  # noqa: PLC0415
        from ..models.figures import Figures  # noqa: PLC0415

        d = dict(src_dict)
        backlog = d.pop("backlog")

        day = Figures.from_dict(d.pop("day"))

        endpoints = []
        _endpoints = d.pop("endpoints")
        for endpoints_item_data in _endpoints:
            endpoints_item = EndpointHealth.from_dict(endpoints_item_data)

            endpoints.append(endpoints_item)

        until = datetime.datetime.fromisoformat(d.pop("until"))

        week = Figures.from_dict(d.pop("week"))

        dashboard = cls(
            backlog=backlog,
            day=day,
            endpoints=endpoints,
            until=until,
            week=week,
        )

        dashboard.additional_properties = d
        return dashboard

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
