from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.create_app_metadata_type_0 import CreateAppMetadataType0
    from ..models.profile import Profile


T = TypeVar("T", bound="CreateApp")


@_attrs_define
class CreateApp:
    """
    Example:
        {'metadata': {'plan': 'pro'}, 'name': 'Acme Inc.', 'uid': 'acme'}

    Attributes:
        name (str): Not blank.
        contact_email (None | str | Unset): Where warnings about failing endpoints are emailed.
        credential (None | str | Unset): Sent as the `credential` of the application's profile (a shared
            header or key): 1 to 4096 printable ASCII characters.
        live (bool | Unset):
        metadata (CreateAppMetadataType0 | None | Unset):
        profile (None | Profile | Unset):
        uid (None | str | Unset): Letters, digits, `-`, `_` and `.`, not starting with `app_`.
    """

    name: str
    contact_email: None | str | Unset = UNSET
    credential: None | str | Unset = UNSET
    live: bool | Unset = UNSET
    metadata: CreateAppMetadataType0 | None | Unset = UNSET
    profile: None | Profile | Unset = UNSET
    uid: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.create_app_metadata_type_0 import CreateAppMetadataType0  # noqa: PLC0415
        from ..models.profile import Profile  # noqa: PLC0415

        name = self.name

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

        live = self.live

        metadata: dict[str, Any] | None | Unset
        if isinstance(self.metadata, Unset):
            metadata = UNSET
        elif isinstance(self.metadata, CreateAppMetadataType0):
            metadata = self.metadata.to_dict()
        else:
            metadata = self.metadata

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

        field_dict.update(
            {
                "name": name,
            }
        )
        if contact_email is not UNSET:
            field_dict["contact_email"] = contact_email
        if credential is not UNSET:
            field_dict["credential"] = credential
        if live is not UNSET:
            field_dict["live"] = live
        if metadata is not UNSET:
            field_dict["metadata"] = metadata
        if profile is not UNSET:
            field_dict["profile"] = profile
        if uid is not UNSET:
            field_dict["uid"] = uid

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.create_app_metadata_type_0 import CreateAppMetadataType0  # noqa: PLC0415
        from ..models.profile import Profile  # noqa: PLC0415

        d = dict(src_dict)
        name = d.pop("name")

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

        live = d.pop("live", UNSET)

        def _parse_metadata(data: object) -> CreateAppMetadataType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                metadata_type_0 = CreateAppMetadataType0.from_dict(data)

                return metadata_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(CreateAppMetadataType0 | None | Unset, data)

        metadata = _parse_metadata(d.pop("metadata", UNSET))

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

        create_app = cls(
            name=name,
            contact_email=contact_email,
            credential=credential,
            live=live,
            metadata=metadata,
            profile=profile,
            uid=uid,
        )

        return create_app
