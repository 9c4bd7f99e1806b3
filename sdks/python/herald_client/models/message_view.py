from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.delivery_view import DeliveryView


T = TypeVar("T", bound="MessageView")


@_attrs_define
class MessageView:
    """
    Attributes:
        app_id (str):
        created_at (datetime.datetime):
        event_type (str):
        id (str):
        payload (Any): The payload as published, any JSON value; `null` once expunged.
        timestamp (datetime.datetime):
        deliveries (list[DeliveryView] | None | Unset):
        event_id (None | str | Unset):
        expunged_at (datetime.datetime | None | Unset): When the payload was removed (retention, or by request).
    """

    app_id: str
    created_at: datetime.datetime
    event_type: str
    id: str
    payload: Any
    timestamp: datetime.datetime
    deliveries: list[DeliveryView] | None | Unset = UNSET
    event_id: None | str | Unset = UNSET
    expunged_at: datetime.datetime | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        app_id = self.app_id

        created_at = self.created_at.isoformat()

        event_type = self.event_type

        id = self.id

        payload = self.payload

        timestamp = self.timestamp.isoformat()

        deliveries: list[dict[str, Any]] | None | Unset
        if isinstance(self.deliveries, Unset):
            deliveries = UNSET
        elif isinstance(self.deliveries, list):
            deliveries = []
            for deliveries_type_0_item_data in self.deliveries:
                deliveries_type_0_item = deliveries_type_0_item_data.to_dict()
                deliveries.append(deliveries_type_0_item)

        else:
            deliveries = self.deliveries

        event_id: None | str | Unset
        if isinstance(self.event_id, Unset):
            event_id = UNSET
        else:
            event_id = self.event_id

        expunged_at: None | str | Unset
        if isinstance(self.expunged_at, Unset):
            expunged_at = UNSET
        elif isinstance(self.expunged_at, datetime.datetime):
            expunged_at = self.expunged_at.isoformat()
        else:
            expunged_at = self.expunged_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "app_id": app_id,
                "created_at": created_at,
                "event_type": event_type,
                "id": id,
                "payload": payload,
                "timestamp": timestamp,
            }
        )
        if deliveries is not UNSET:
            field_dict["deliveries"] = deliveries
        if event_id is not UNSET:
            field_dict["event_id"] = event_id
        if expunged_at is not UNSET:
            field_dict["expunged_at"] = expunged_at

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.delivery_view import DeliveryView  # noqa: PLC0415

        d = dict(src_dict)
        app_id = d.pop("app_id")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        event_type = d.pop("event_type")

        id = d.pop("id")

        payload = d.pop("payload")

        timestamp = datetime.datetime.fromisoformat(d.pop("timestamp"))

        def _parse_deliveries(data: object) -> list[DeliveryView] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                deliveries_type_0 = []
                _deliveries_type_0 = data
                for deliveries_type_0_item_data in _deliveries_type_0:
                    deliveries_type_0_item = DeliveryView.from_dict(deliveries_type_0_item_data)

                    deliveries_type_0.append(deliveries_type_0_item)

                return deliveries_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[DeliveryView] | None | Unset, data)

        deliveries = _parse_deliveries(d.pop("deliveries", UNSET))

        def _parse_event_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        event_id = _parse_event_id(d.pop("event_id", UNSET))

        def _parse_expunged_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                expunged_at_type_0 = datetime.datetime.fromisoformat(data)

                return expunged_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        expunged_at = _parse_expunged_at(d.pop("expunged_at", UNSET))

        message_view = cls(
            app_id=app_id,
            created_at=created_at,
            event_type=event_type,
            id=id,
            payload=payload,
            timestamp=timestamp,
            deliveries=deliveries,
            event_id=event_id,
            expunged_at=expunged_at,
        )

        message_view.additional_properties = d
        return message_view

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
