from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.create_message import CreateMessage


T = TypeVar("T", bound="CreateBatch")


@_attrs_define
class CreateBatch:
    """
    Example:
        {'events': [{'event_id': 'evt_1', 'event_type': 'referral.converted', 'payload': {'referral_id': 'ref_1'}},
            {'event_id': 'evt_2', 'event_type': 'referral.converted', 'payload': {'referral_id': 'ref_2'}}]}

    Attributes:
        events (list[CreateMessage]): 1 to `limits.batch_events` (100) events, each a single publish's
            body; one that is not valid fails alone.
    """

    events: list[CreateMessage]

    def to_dict(self) -> dict[str, Any]:
        events = []
        for events_item_data in self.events:
            events_item = events_item_data.to_dict()
            events.append(events_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "events": events,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.create_message import CreateMessage  # noqa: PLC0415

        d = dict(src_dict)
        events = []
        _events = d.pop("events")
        for events_item_data in _events:
            events_item = CreateMessage.from_dict(events_item_data)

            events.append(events_item)

        create_batch = cls(
            events=events,
        )

        return create_batch
