from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.auto_disable_view import AutoDisableView
    from ..models.policy_view_set_by import PolicyViewSetBy
    from ..models.policy_view_signature import PolicyViewSignature


T = TypeVar("T", bound="PolicyView")


@_attrs_define
class PolicyView:
    """The policy in force for an endpoint.

    Attributes:
        auto_disable (AutoDisableView):
        max_attempts (int): Attempts in all: the first and one per wait.
        retry_jitter (float): Every wait moves by up to this fraction either way.
        retry_overrides (list[str]): Event types with a policy of their own (`retry_by_event_type`).
        retry_schedule_secs (list[int]): The waits (seconds) before each retry; `[]`: one attempt only.
        set_by (PolicyViewSetBy): Where each of these comes from: `endpoint`, `application` or `server`.
        signature (PolicyViewSignature): How deliveries are signed (the profile's `signature`; default
            Standard Webhooks).
        timeout_ms (int): Per request.
        success_status (list[int] | None | Unset): The status codes that count as delivered; `null`: any 2xx.
    """

    auto_disable: AutoDisableView
    max_attempts: int
    retry_jitter: float
    retry_overrides: list[str]
    retry_schedule_secs: list[int]
    set_by: PolicyViewSetBy
    signature: PolicyViewSignature
    timeout_ms: int
    success_status: list[int] | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        auto_disable = self.auto_disable.to_dict()

        max_attempts = self.max_attempts

        retry_jitter = self.retry_jitter

        retry_overrides = self.retry_overrides

        retry_schedule_secs = self.retry_schedule_secs

        set_by = self.set_by.to_dict()

        signature = self.signature.to_dict()

        timeout_ms = self.timeout_ms

        success_status: list[int] | None | Unset
        if isinstance(self.success_status, Unset):
            success_status = UNSET
        elif isinstance(self.success_status, list):
            success_status = self.success_status

        else:
            success_status = self.success_status

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "auto_disable": auto_disable,
                "max_attempts": max_attempts,
                "retry_jitter": retry_jitter,
                "retry_overrides": retry_overrides,
                "retry_schedule_secs": retry_schedule_secs,
                "set_by": set_by,
                "signature": signature,
                "timeout_ms": timeout_ms,
            }
        )
        if success_status is not UNSET:
            field_dict["success_status"] = success_status

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.auto_disable_view import AutoDisableView  # noqa: PLC0415
        from ..models.policy_view_set_by import PolicyViewSetBy  # noqa: PLC0415
        from ..models.policy_view_signature import PolicyViewSignature  # noqa: PLC0415

        d = dict(src_dict)
        auto_disable = AutoDisableView.from_dict(d.pop("auto_disable"))

        max_attempts = d.pop("max_attempts")

        retry_jitter = d.pop("retry_jitter")

        retry_overrides = cast(list[str], d.pop("retry_overrides"))

        retry_schedule_secs = cast(list[int], d.pop("retry_schedule_secs"))

        set_by = PolicyViewSetBy.from_dict(d.pop("set_by"))

        signature = PolicyViewSignature.from_dict(d.pop("signature"))

        timeout_ms = d.pop("timeout_ms")

        def _parse_success_status(data: object) -> list[int] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                success_status_type_0 = cast(list[int], data)

                return success_status_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[int] | None | Unset, data)

        success_status = _parse_success_status(d.pop("success_status", UNSET))

        policy_view = cls(
            auto_disable=auto_disable,
            max_attempts=max_attempts,
            retry_jitter=retry_jitter,
            retry_overrides=retry_overrides,
            retry_schedule_secs=retry_schedule_secs,
            set_by=set_by,
            signature=signature,
            timeout_ms=timeout_ms,
            success_status=success_status,
        )

        policy_view.additional_properties = d
        return policy_view

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
