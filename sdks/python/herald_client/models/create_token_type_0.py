from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="CreateTokenType0")


@_attrs_define
class CreateTokenType0:
    """
    Attributes:
        app (None | Unset):
        scope (Literal['admin'] | Unset):
    """

    app: None | Unset = UNSET
    scope: Literal["admin"] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        app = self.app

        scope = self.scope

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if app is not UNSET:
            field_dict["app"] = app
        if scope is not UNSET:
            field_dict["scope"] = scope

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        app = d.pop("app", UNSET)

        scope = cast(Literal["admin"] | Unset, d.pop("scope", UNSET))
        if scope != "admin" and not isinstance(scope, Unset):
            raise ValueError(f"scope must match const 'admin', got '{scope}'")

        create_token_type_0 = cls(
            app=app,
            scope=scope,
        )

        create_token_type_0.additional_properties = d
        return create_token_type_0

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
