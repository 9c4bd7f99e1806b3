from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="AutoDisable")


@_attrs_define
class AutoDisable:
    """Disable an endpoint that has been failing without a success for
    `after_secs`, with at least `min_failures` deliveries exhausted in that
    streak, and only once its owner was warned at least `notice_secs`
    before: warning first, then a real notice, whatever the traffic. The
    owner is warned halfway (see [`AutoDisable::warn_due`]), or as soon as
    the rule is met when that comes first.

        Attributes:
            after_secs (int): How long every delivery must have failed (at most a year).
            min_failures (int): Deliveries out of retries in that time, 1 to a million.
            notice_secs (int | None | Unset): The least time between the warning and the disable; absent: half of
                `after_secs`.
    """

    after_secs: int
    min_failures: int
    notice_secs: int | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        after_secs = self.after_secs

        min_failures = self.min_failures

        notice_secs: int | None | Unset
        if isinstance(self.notice_secs, Unset):
            notice_secs = UNSET
        else:
            notice_secs = self.notice_secs

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "after_secs": after_secs,
                "min_failures": min_failures,
            }
        )
        if notice_secs is not UNSET:
            field_dict["notice_secs"] = notice_secs

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        after_secs = d.pop("after_secs")

        min_failures = d.pop("min_failures")

        def _parse_notice_secs(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        notice_secs = _parse_notice_secs(d.pop("notice_secs", UNSET))

        auto_disable = cls(
            after_secs=after_secs,
            min_failures=min_failures,
            notice_secs=notice_secs,
        )

        return auto_disable
