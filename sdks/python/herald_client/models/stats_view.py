from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.bucket_view import BucketView


T = TypeVar("T", bound="StatsView")


@_attrs_define
class StatsView:
    """A window's figures.

    Attributes:
        attempts (int): Requests made (attempts), the worker's and replays.
        attempts_failed (int): Attempts that were not: another status, a timeout, a refused
            connection.
        attempts_succeeded (int): Attempts answered with a success status (any 2xx, or exactly the
            profile's `success_status`).
        backlog (int): Deliveries waiting now (pending or retrying).
        delivered (int): Deliveries (one message to one endpoint) that reached delivered in
            the window, each counted once: a replay of a delivered one does not
            count again. With `failed`, the same count as the delivery log's.
        failed (int): Deliveries that ended failed in the window (out of retries, or not
            sendable) and are failed still: one a replay delivered, or a
            recovery re-queued, is not counted.
        retries (int): Attempts after a delivery's first.
        since (datetime.datetime):
        until (datetime.datetime):
        avg_response_ms (float | None | Unset):
        p95_response_ms (int | None | Unset): Upper bound of the latency bucket holding the 95th percentile
            (buckets: 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 60000 ms).
        series (list[BucketView] | None | Unset): With `buckets`: the window part by part, oldest first.
        success_rate (float | None | Unset): attempts_succeeded / attempts; null without attempts.
    """

    attempts: int
    attempts_failed: int
    attempts_succeeded: int
    backlog: int
    delivered: int
    failed: int
    retries: int
    since: datetime.datetime
    until: datetime.datetime
    avg_response_ms: float | None | Unset = UNSET
    p95_response_ms: int | None | Unset = UNSET
    series: list[BucketView] | None | Unset = UNSET
    success_rate: float | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        attempts = self.attempts

        attempts_failed = self.attempts_failed

        attempts_succeeded = self.attempts_succeeded

        backlog = self.backlog

        delivered = self.delivered

        failed = self.failed

        retries = self.retries

        since = self.since.isoformat()

        until = self.until.isoformat()

        avg_response_ms: float | None | Unset
        if isinstance(self.avg_response_ms, Unset):
            avg_response_ms = UNSET
        else:
            avg_response_ms = self.avg_response_ms

        p95_response_ms: int | None | Unset
        if isinstance(self.p95_response_ms, Unset):
            p95_response_ms = UNSET
        else:
            p95_response_ms = self.p95_response_ms

        series: list[dict[str, Any]] | None | Unset
        if isinstance(self.series, Unset):
            series = UNSET
        elif isinstance(self.series, list):
            series = []
            for series_type_0_item_data in self.series:
                series_type_0_item = series_type_0_item_data.to_dict()
                series.append(series_type_0_item)

        else:
            series = self.series

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
                "attempts_failed": attempts_failed,
                "attempts_succeeded": attempts_succeeded,
                "backlog": backlog,
                "delivered": delivered,
                "failed": failed,
                "retries": retries,
                "since": since,
                "until": until,
            }
        )
        if avg_response_ms is not UNSET:
            field_dict["avg_response_ms"] = avg_response_ms
        if p95_response_ms is not UNSET:
            field_dict["p95_response_ms"] = p95_response_ms
        if series is not UNSET:
            field_dict["series"] = series
        if success_rate is not UNSET:
            field_dict["success_rate"] = success_rate

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.bucket_view import BucketView  # noqa: PLC0415

        d = dict(src_dict)
        attempts = d.pop("attempts")

        attempts_failed = d.pop("attempts_failed")

        attempts_succeeded = d.pop("attempts_succeeded")

        backlog = d.pop("backlog")

        delivered = d.pop("delivered")

        failed = d.pop("failed")

        retries = d.pop("retries")

        since = datetime.datetime.fromisoformat(d.pop("since"))

        until = datetime.datetime.fromisoformat(d.pop("until"))

        def _parse_avg_response_ms(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        avg_response_ms = _parse_avg_response_ms(d.pop("avg_response_ms", UNSET))

        def _parse_p95_response_ms(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        p95_response_ms = _parse_p95_response_ms(d.pop("p95_response_ms", UNSET))

        def _parse_series(data: object) -> list[BucketView] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                series_type_0 = []
                _series_type_0 = data
                for series_type_0_item_data in _series_type_0:
                    series_type_0_item = BucketView.from_dict(series_type_0_item_data)

                    series_type_0.append(series_type_0_item)

                return series_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[BucketView] | None | Unset, data)

        series = _parse_series(d.pop("series", UNSET))

        def _parse_success_rate(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        success_rate = _parse_success_rate(d.pop("success_rate", UNSET))

        stats_view = cls(
            attempts=attempts,
            attempts_failed=attempts_failed,
            attempts_succeeded=attempts_succeeded,
            backlog=backlog,
            delivered=delivered,
            failed=failed,
            retries=retries,
            since=since,
            until=until,
            avg_response_ms=avg_response_ms,
            p95_response_ms=p95_response_ms,
            series=series,
            success_rate=success_rate,
        )

        stats_view.additional_properties = d
        return stats_view

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
