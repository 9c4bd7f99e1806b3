from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.app_view_metadata import AppViewMetadata
    from ..models.profile import Profile


T = TypeVar("T", bound="AppView")


@_attrs_define
class AppView:
    """
    Attributes:
        created_at (datetime.datetime):
        has_credential (bool): The credential itself is never shown.
        id (str):
        live (bool):
        metadata (AppViewMetadata):
        name (str):
        updated_at (datetime.datetime):
        contact_email (None | str | Unset): Where warnings about failing endpoints are emailed.
        profile (None | Profile | Unset):
        uid (None | str | Unset):
    """

    created_at: datetime.datetime
    has_credential: bool
    id: str
    live: bool
    metadata: AppViewMetadata
    name: str
    updated_at: datetime.datetime
    contact_email: None | str | Unset = UNSET
    profile: None | Profile | Unset = UNSET
    uid: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.profile import Profile  # noqa: PLC0415

        created_at = self.created_at.isoformat()

        has_credential = self.has_credential

        id = self.id

        live = self.live

        metadata = self.metadata.to_dict()

        name = self.name

        updated_at = self.updated_at.isoformat()

        contact_email: None | str | Unset
        if isinstance(self.contact_email, Unset):
            contact_email = UNSET
        else:
            contact_email = self.contact_email

        profile: dict[str, Any] | None | Unset
        if isinstance(self.profile, Unset):
            profile = UNSET
        elif isinstance(self.profile, Profile):
            profile = self.profile.to_dict()
        else:
            profile = self.profile

        uid: None | str | Unset
        if isinstance(self.uid, Unset):
            uid = UNSET
        else:
            uid = self.uid

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "created_at": created_at,
                "has_credential": has_credential,
                "id": id,
                "live": live,
                "metadata": metadata,
                "name": name,
                "updated_at": updated_at,
            }
        )
        if contact_email is not UNSET:
            field_dict["contact_email"] = contact_email
        if profile is not UNSET:
            field_dict["profile"] = profile
        if uid is not UNSET:
            field_dict["uid"] = uid

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.app_view_metadata import AppViewMetadata  # noqa: PLC0415
        from ..models.profile import Profile  # noqa: PLC0415

        d = dict(src_dict)
        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        has_credential = d.pop("has_credential")

        id = d.pop("id")

        live = d.pop("live")

        metadata = AppViewMetadata.from_dict(d.pop("metadata"))

        name = d.pop("name")

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        def _parse_contact_email(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        contact_email = _parse_contact_email(d.pop("contact_email", UNSET))

        def _parse_profile(data: object) -> None | Profile | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                profile_type_0 = Profile.from_dict(data)

                return profile_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Profile | Unset, data)

        profile = _parse_profile(d.pop("profile", UNSET))

        def _parse_uid(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        uid = _parse_uid(d.pop("uid", UNSET))

        app_view = cls(
            created_at=created_at,
            has_credential=has_credential,
            id=id,
            live=live,
            metadata=metadata,
            name=name,
            updated_at=updated_at,
            contact_email=contact_email,
            profile=profile,
            uid=uid,
        )

        app_view.additional_properties = d
        return app_view

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
