from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="RetrySpecType2")


@_attrs_define
class RetrySpecType2:
    """
    Attributes:
        factor (float):
        initial_secs (int): The first wait, in seconds (at most 30 days).
        max_attempts (int):
        max_delay_secs (int): The longest wait, in seconds (at most 30 days).
        jitter (float | Unset):
        max_age_secs (int | None | Unset): No retry later than this long after the event was published
            (at most a year).
    """

    factor: float
    initial_secs: int
    max_attempts: int
    max_delay_secs: int
    jitter: float | Unset = UNSET
    max_age_secs: int | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        factor = self.factor

        initial_secs = self.initial_secs

        max_attempts = self.max_attempts

        max_delay_secs = self.max_delay_secs

        jitter = self.jitter

        max_age_secs: int | None | Unset
        if isinstance(self.max_age_secs, Unset):
            max_age_secs = UNSET
        else:
            max_age_secs = self.max_age_secs

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "factor": factor,
                "initial_secs": initial_secs,
                "max_attempts": max_attempts,
                "max_delay_secs": max_delay_secs,
            }
        )
        if jitter is not UNSET:
            field_dict["jitter"] = jitter
        if max_age_secs is not UNSET:
            field_dict["max_age_secs"] = max_age_secs

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        factor = d.pop("factor")

        initial_secs = d.pop("initial_secs")

        max_attempts = d.pop("max_attempts")

        max_delay_secs = d.pop("max_delay_secs")

        jitter = d.pop("jitter", UNSET)

        def _parse_max_age_secs(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        max_age_secs = _parse_max_age_secs(d.pop("max_age_secs", UNSET))

        retry_spec_type_2 = cls(
            factor=factor,
            initial_secs=initial_secs,
            max_attempts=max_attempts,
            max_delay_secs=max_delay_secs,
            jitter=jitter,
            max_age_secs=max_age_secs,
        )

        retry_spec_type_2.additional_properties = d
        return retry_spec_type_2

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
