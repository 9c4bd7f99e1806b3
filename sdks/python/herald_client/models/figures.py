from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="Figures")


@_attrs_define
class Figures:
    """Figures over one window.

    Attributes:
        attempts (int): Requests made (attempts).
        attempts_succeeded (int): Attempts answered with a success status.
        delivered (int): Deliveries that reached delivered, each once (as in the delivery log).
        failed (int): Deliveries that ended failed and are failed still.
        health (str): `healthy` (95% delivered or more), `degraded` (from 50%), `failing`
            (below), `idle` (no attempts). Example: healthy.
        retries (int): Attempts after a delivery's first.
        since (datetime.datetime):
        avg_response_ms (float | None | Unset):
        success_rate (float | None | Unset): attempts_succeeded / attempts; null without attempts.
    """

    attempts: int
    attempts_succeeded: int
    delivered: int
    failed: int
    health: str
    retries: int
    since: datetime.datetime
    avg_response_ms: float | None | Unset = UNSET
    success_rate: float | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        attempts = self.attempts

        attempts_succeeded = self.attempts_succeeded

        delivered = self.delivered

        failed = self.failed

        health = self.health

        retries = self.retries

        since = self.since.isoformat()

        avg_response_ms: float | None | Unset
        if isinstance(self.avg_response_ms, Unset):
            avg_response_ms = UNSET
        else:
            avg_response_ms = self.avg_response_ms

        success_rate: float | None | Unset
        if isinstance(self.success_rate, Unset):
            success_rate = UNSET
        else:
            success_rate = self.success_rate

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "attempts": attempts,
                "attempts_succeeded": attempts_succeeded,
                "delivered": delivered,
                "failed": failed,
                "health": health,
                "retries": retries,
                "since": since,
            }
        )
        if avg_response_ms is not UNSET:
            field_dict["avg_response_ms"] = avg_response_ms
        if success_rate is not UNSET:
            field_dict["success_rate"] = success_rate

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        attempts = d.pop("attempts")

        attempts_succeeded = d.pop("attempts_succeeded")

        delivered = d.pop("delivered")

        failed = d.pop("failed")

        health = d.pop("health")

        retries = d.pop("retries")

        since = datetime.datetime.fromisoformat(d.pop("since"))

        def _parse_avg_response_ms(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        avg_response_ms = _parse_avg_response_ms(d.pop("avg_response_ms", UNSET))

        def _parse_success_rate(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        success_rate = _parse_success_rate(d.pop("success_rate", UNSET))

        figures = cls(
            attempts=attempts,
            attempts_succeeded=attempts_succeeded,
            delivered=delivered,
            failed=failed,
            health=health,
            retries=retries,
            since=since,
            avg_response_ms=avg_response_ms,
            success_rate=success_rate,
        )

        figures.additional_properties = d
        return figures

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
