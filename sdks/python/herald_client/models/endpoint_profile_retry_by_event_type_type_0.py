from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.retry_spec_type_0 import RetrySpecType0

if TYPE_CHECKING:
    from ..models.retry_spec_type_1 import RetrySpecType1
    from ..models.retry_spec_type_2 import RetrySpecType2


T = TypeVar("T", bound="EndpointProfileRetryByEventTypeType0")


@_attrs_define
class EndpointProfileRetryByEventTypeType0:
    """Retry policies for some event types, keyed by event type or pattern
    (`test`, `referral.*`); they replace `retry` for the events they
    match (see [`Profile::retry_for`]).

    """

    additional_properties: dict[str, RetrySpecType0 | RetrySpecType1 | RetrySpecType2] = _attrs_field(
        init=False, factory=dict
    )

    def to_dict(self) -> dict[str, Any]:
        from ..models.retry_spec_type_1 import RetrySpecType1  # noqa: PLC0415

        field_dict: dict[str, Any] = {}
        for prop_name, prop in self.additional_properties.items():
            if isinstance(prop, RetrySpecType0):
                field_dict[prop_name] = prop.value
            elif isinstance(prop, RetrySpecType1):
                field_dict[prop_name] = prop.to_dict()
            else:
                field_dict[prop_name] = prop.to_dict()

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.retry_spec_type_1 import RetrySpecType1  # noqa: PLC0415
        from ..models.retry_spec_type_2 import RetrySpecType2  # noqa: PLC0415

        d = dict(src_dict)
        endpoint_profile_retry_by_event_type_type_0 = cls()

        additional_properties = {}
        for prop_name, prop_dict in d.items():

            def _parse_additional_property(data: object) -> RetrySpecType0 | RetrySpecType1 | RetrySpecType2:
                try:
                    if not isinstance(data, str):
                        raise TypeError()
                    componentsschemas_retry_spec_type_0 = RetrySpecType0(data)

                    return componentsschemas_retry_spec_type_0
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    componentsschemas_retry_spec_type_1 = RetrySpecType1.from_dict(data)

                    return componentsschemas_retry_spec_type_1
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_retry_spec_type_2 = RetrySpecType2.from_dict(data)

                return componentsschemas_retry_spec_type_2

            additional_property = _parse_additional_property(prop_dict)

            additional_properties[prop_name] = additional_property

        endpoint_profile_retry_by_event_type_type_0.additional_properties = additional_properties
        return endpoint_profile_retry_by_event_type_type_0

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> RetrySpecType0 | RetrySpecType1 | RetrySpecType2:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: RetrySpecType0 | RetrySpecType1 | RetrySpecType2) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
