from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="RateLimit")


@_attrs_define
class RateLimit:
    """`rate_limit` in a profile: deliveries per second on average, and how
    many may go out at once after a quiet spell (default: one second's
    worth, at least 1).

        Attributes:
            per_second (float): 1/3600 (one an hour) to 100000.
            burst (int | None | Unset):
    """

    per_second: float
    burst: int | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        per_second = self.per_second

        burst: int | None | Unset
        if isinstance(self.burst, Unset):
            burst = UNSET
        else:
            burst = self.burst

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "per_second": per_second,
            }
        )
        if burst is not UNSET:
            field_dict["burst"] = burst

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        per_second = d.pop("per_second")

        def _parse_burst(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        burst = _parse_burst(d.pop("burst", UNSET))

        rate_limit = cls(
            per_second=per_second,
            burst=burst,
        )

        return rate_limit
