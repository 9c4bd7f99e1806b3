from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="CreateMessage")


@_attrs_define
class CreateMessage:
    """
    Example:
        {'event_id': 'evt_8f2c1', 'event_type': 'referral.converted', 'payload': {'referral_id': 'ref_123'}}

    Attributes:
        event_type (str):
        payload (Any):
        event_id (None | str | Unset): Your id for the event: a repeat with the same one is stored once.
        ordering_key (None | str | Unset): At endpoints with `ordering = "fifo"`, a message is sent only once
            the one before it with the same key was delivered or finally failed
            (e.g. a customer id). Keys are independent of each other.
        timestamp (datetime.datetime | None | Unset):
    """

    event_type: str
    payload: Any
    event_id: None | str | Unset = UNSET
    ordering_key: None | str | Unset = UNSET
    timestamp: datetime.datetime | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        event_type = self.event_type

        payload = self.payload

        event_id: None | str | Unset
        if isinstance(self.event_id, Unset):
            event_id = UNSET
        else:
            event_id = self.event_id

        ordering_key: None | str | Unset
        if isinstance(self.ordering_key, Unset):
            ordering_key = UNSET
        else:
            ordering_key = self.ordering_key

        timestamp: None | str | Unset
        if isinstance(self.timestamp, Unset):
            timestamp = UNSET
        elif isinstance(self.timestamp, datetime.datetime):
            timestamp = self.timestamp.isoformat()
        else:
            timestamp = self.timestamp

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "event_type": event_type,
                "payload": payload,
            }
        )
        if event_id is not UNSET:
            field_dict["event_id"] = event_id
        if ordering_key is not UNSET:
            field_dict["ordering_key"] = ordering_key
        if timestamp is not UNSET:
            field_dict["timestamp"] = timestamp

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        event_type = d.pop("event_type")

        payload = d.pop("payload")

        def _parse_event_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        event_id = _parse_event_id(d.pop("event_id", UNSET))

        def _parse_ordering_key(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        ordering_key = _parse_ordering_key(d.pop("ordering_key", UNSET))

        def _parse_timestamp(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                timestamp_type_0 = datetime.datetime.fromisoformat(data)

                return timestamp_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        timestamp = _parse_timestamp(d.pop("timestamp", UNSET))

        create_message = cls(
            event_type=event_type,
            payload=payload,
            event_id=event_id,
            ordering_key=ordering_key,
            timestamp=timestamp,
        )

        return create_message
