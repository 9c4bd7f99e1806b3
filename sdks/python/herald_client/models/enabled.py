from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.endpoint_view import EndpointView
    from ..models.recovery_view import RecoveryView


T = TypeVar("T", bound="Enabled")


@_attrs_define
class Enabled:
    """
    Attributes:
        endpoint (EndpointView):
        recovery (None | RecoveryView | Unset):
    """

    endpoint: EndpointView
    recovery: None | RecoveryView | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.recovery_view import RecoveryView  # noqa: PLC0415

        endpoint = self.endpoint.to_dict()

        recovery: dict[str, Any] | None | Unset
        if isinstance(self.recovery, Unset):
            recovery = UNSET
        elif isinstance(self.recovery, RecoveryView):
            recovery = self.recovery.to_dict()
        else:
            recovery = self.recovery

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "endpoint": endpoint,
            }
        )
        if recovery is not UNSET:
            field_dict["recovery"] = recovery

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.endpoint_view import EndpointView  # noqa: PLC0415
        from ..models.recovery_view import RecoveryView  # noqa: PLC0415

        d = dict(src_dict)
        endpoint = EndpointView.from_dict(d.pop("endpoint"))

        def _parse_recovery(data: object) -> None | RecoveryView | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                recovery_type_0 = RecoveryView.from_dict(data)

                return recovery_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | RecoveryView | Unset, data)

        recovery = _parse_recovery(d.pop("recovery", UNSET))

        enabled = cls(
            endpoint=endpoint,
            recovery=recovery,
        )

        enabled.additional_properties = d
        return enabled

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
