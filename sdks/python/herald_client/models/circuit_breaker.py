from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="CircuitBreaker")


@_attrs_define
class CircuitBreaker:
    """`circuit_breaker` in a profile: after `failures` consecutive failed
    attempts the endpoint's circuit opens and its due deliveries wait
    (using no attempts); after `cool_down_secs` one probe goes out, and a
    success closes the circuit (a failure opens it again).

        Attributes:
            cool_down_secs (int):
            failures (int):
    """

    cool_down_secs: int
    failures: int

    def to_dict(self) -> dict[str, Any]:
        cool_down_secs = self.cool_down_secs

        failures = self.failures

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "cool_down_secs": cool_down_secs,
                "failures": failures,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        cool_down_secs = d.pop("cool_down_secs")

        failures = d.pop("failures")

        circuit_breaker = cls(
            cool_down_secs=cool_down_secs,
            failures=failures,
        )

        return circuit_breaker
