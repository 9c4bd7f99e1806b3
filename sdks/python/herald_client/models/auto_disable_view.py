from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="AutoDisableView")


@_attrs_define
class AutoDisableView:
    """
    Attributes:
        after_secs (int):
        in_words (str): The rule in words.
        min_failures (int):
        notice_secs (int): The least time between the warning to the owner and the disable.
    """

    after_secs: int
    in_words: str
    min_failures: int
    notice_secs: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        after_secs = self.after_secs

        in_words = self.in_words

        min_failures = self.min_failures

        notice_secs = self.notice_secs

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "after_secs": after_secs,
                "in_words": in_words,
                "min_failures": min_failures,
                "notice_secs": notice_secs,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        after_secs = d.pop("after_secs")

        in_words = d.pop("in_words")

        min_failures = d.pop("min_failures")

        notice_secs = d.pop("notice_secs")

        auto_disable_view = cls(
            after_secs=after_secs,
            in_words=in_words,
            min_failures=min_failures,
            notice_secs=notice_secs,
        )

        auto_disable_view.additional_properties = d
        return auto_disable_view

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
