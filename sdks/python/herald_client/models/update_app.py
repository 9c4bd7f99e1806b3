from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.profile import Profile
    from ..models.update_app_metadata_type_0 import UpdateAppMetadataType0


T = TypeVar("T", bound="UpdateApp")


@_attrs_define
class UpdateApp:
    """
    Attributes:
        contact_email (None | str | Unset):
        credential (None | str | Unset):
        live (bool | None | Unset):
        metadata (None | Unset | UpdateAppMetadataType0):
        name (None | str | Unset):
        profile (None | Profile | Unset):
        uid (None | str | Unset):
    """

    contact_email: None | str | Unset = UNSET
    credential: None | str | Unset = UNSET
    live: bool | None | Unset = UNSET
    metadata: None | Unset | UpdateAppMetadataType0 = UNSET
    name: None | str | Unset = UNSET
    profile: None | Profile | Unset = UNSET
    uid: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.profile import Profile  # noqa: PLC0415
        from ..models.update_app_metadata_type_0 import UpdateAppMetadataType0  # noqa: PLC0415

        contact_email: None | str | Unset
        if isinstance(self.contact_email, Unset):
            contact_email = UNSET
        else:
            contact_email = self.contact_email

        credential: None | str | Unset
        if isinstance(self.credential, Unset):
            credential = UNSET
        else:
            credential = self.credential

        live: bool | None | Unset
        if isinstance(self.live, Unset):
            live = UNSET
        else:
            live = self.live

        metadata: dict[str, Any] | None | Unset
        if isinstance(self.metadata, Unset):
            metadata = UNSET
        elif isinstance(self.metadata, UpdateAppMetadataType0):
            metadata = self.metadata.to_dict()
        else:
            metadata = self.metadata

        name: None | str | Unset
        if isinstance(self.name, Unset):
            name = UNSET
        else:
            name = self.name

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

        field_dict.update({})
        if contact_email is not UNSET:
            field_dict["contact_email"] = contact_email
        if credential is not UNSET:
            field_dict["credential"] = credential
        if live is not UNSET:
            field_dict["live"] = live
        if metadata is not UNSET:
            field_dict["metadata"] = metadata
        if name is not UNSET:
            field_dict["name"] = name
        if profile is not UNSET:
            field_dict["profile"] = profile
        if uid is not UNSET:
            field_dict["uid"] = uid

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.profile import Profile  # noqa: PLC0415
        from ..models.update_app_metadata_type_0 import UpdateAppMetadataType0  # noqa: PLC0415

        d = dict(src_dict)

        def _parse_contact_email(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        contact_email = _parse_contact_email(d.pop("contact_email", UNSET))

        def _parse_credential(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        credential = _parse_credential(d.pop("credential", UNSET))

        def _parse_live(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        live = _parse_live(d.pop("live", UNSET))

        def _parse_metadata(data: object) -> None | Unset | UpdateAppMetadataType0:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                metadata_type_0 = UpdateAppMetadataType0.from_dict(data)

                return metadata_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | UpdateAppMetadataType0, data)

        metadata = _parse_metadata(d.pop("metadata", UNSET))

        def _parse_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        name = _parse_name(d.pop("name", UNSET))

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

        update_app = cls(
            contact_email=contact_email,
            credential=credential,
            live=live,
            metadata=metadata,
            name=name,
            profile=profile,
            uid=uid,
        )

        return update_app
