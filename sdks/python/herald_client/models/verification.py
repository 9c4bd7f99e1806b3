from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="Verification")


@_attrs_define
class Verification:
    """The verification handshake a new endpoint must pass.

    Attributes:
        event_type (str): The event type the challenge is sent as (e.g. `webhook.verify`).
    """

    event_type: str

    def to_dict(self) -> dict[str, Any]:
        event_type = self.event_type

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "event_type": event_type,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        event_type = d.pop("event_type")

        verification = cls(
            event_type=event_type,
        )

        return verification
