from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.endpoint_profile import EndpointProfile
    from ..models.o_auth_2_input import OAuth2Input
    from ..models.tls_input import TlsInput
    from ..models.update_endpoint_headers_type_0 import UpdateEndpointHeadersType0
    from ..models.update_endpoint_metadata_type_0 import UpdateEndpointMetadataType0


T = TypeVar("T", bound="UpdateEndpoint")


@_attrs_define
class UpdateEndpoint:
    """
    Attributes:
        credential (None | str | Unset):
        description (None | str | Unset):
        disabled (bool | None | Unset):
        event_types (list[str] | None | Unset):
        expires_in_secs (int | None | Unset): Moves the expiry to this many seconds from now; `null`: never.
        headers (None | Unset | UpdateEndpointHeadersType0):
        metadata (None | Unset | UpdateEndpointMetadataType0):
        oauth2 (None | OAuth2Input | Unset):
        paused (bool | None | Unset): Hold (`true`) or resume (`false`) its deliveries.
        profile (EndpointProfile | None | Unset):
        tls (None | TlsInput | Unset):
        url (None | str | Unset):
    """

    credential: None | str | Unset = UNSET
    description: None | str | Unset = UNSET
    disabled: bool | None | Unset = UNSET
    event_types: list[str] | None | Unset = UNSET
    expires_in_secs: int | None | Unset = UNSET
    headers: None | Unset | UpdateEndpointHeadersType0 = UNSET
    metadata: None | Unset | UpdateEndpointMetadataType0 = UNSET
    oauth2: None | OAuth2Input | Unset = UNSET
    paused: bool | None | Unset = UNSET
    profile: EndpointProfile | None | Unset = UNSET
    tls: None | TlsInput | Unset = UNSET
    url: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.endpoint_profile import EndpointProfile  # noqa: PLC0415
        from ..models.o_auth_2_input import OAuth2Input  # noqa: PLC0415
        from ..models.tls_input import TlsInput  # noqa: PLC0415
        from ..models.update_endpoint_headers_type_0 import UpdateEndpointHeadersType0  # noqa: PLC0415
        from ..models.update_endpoint_metadata_type_0 import UpdateEndpointMetadataType0  # noqa: PLC0415

        credential: None | str | Unset
        if isinstance(self.credential, Unset):
            credential = UNSET
        else:
            credential = self.credential

        description: None | str | Unset
        if isinstance(self.description, Unset):
            description = UNSET
        else:
            description = self.description

        disabled: bool | None | Unset
        if isinstance(self.disabled, Unset):
            disabled = UNSET
        else:
            disabled = self.disabled

        event_types: list[str] | None | Unset
        if isinstance(self.event_types, Unset):
            event_types = UNSET
        elif isinstance(self.event_types, list):
            event_types = self.event_types

        else:
            event_types = self.event_types

        expires_in_secs: int | None | Unset
        if isinstance(self.expires_in_secs, Unset):
            expires_in_secs = UNSET
        else:
            expires_in_secs = self.expires_in_secs

        headers: dict[str, Any] | None | Unset
        if isinstance(self.headers, Unset):
            headers = UNSET
        elif isinstance(self.headers, UpdateEndpointHeadersType0):
            headers = self.headers.to_dict()
        else:
            headers = self.headers

        metadata: dict[str, Any] | None | Unset
        if isinstance(self.metadata, Unset):
            metadata = UNSET
        elif isinstance(self.metadata, UpdateEndpointMetadataType0):
            metadata = self.metadata.to_dict()
        else:
            metadata = self.metadata

        oauth2: dict[str, Any] | None | Unset
        if isinstance(self.oauth2, Unset):
            oauth2 = UNSET
        elif isinstance(self.oauth2, OAuth2Input):
            oauth2 = self.oauth2.to_dict()
        else:
            oauth2 = self.oauth2

        paused: bool | None | Unset
        if isinstance(self.paused, Unset):
            paused = UNSET
        else:
            paused = self.paused

        profile: dict[str, Any] | None | Unset
        if isinstance(self.profile, Unset):
            profile = UNSET
        elif isinstance(self.profile, EndpointProfile):
            profile = self.profile.to_dict()
        else:
            profile = self.profile

        tls: dict[str, Any] | None | Unset
        if isinstance(self.tls, Unset):
            tls = UNSET
        elif isinstance(self.tls, TlsInput):
            tls = self.tls.to_dict()
        else:
            tls = self.tls

        url: None | str | Unset
        if isinstance(self.url, Unset):
            url = UNSET
        else:
            url = self.url

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if credential is not UNSET:
            field_dict["credential"] = credential
        if description is not UNSET:
            field_dict["description"] = description
        if disabled is not UNSET:
            field_dict["disabled"] = disabled
        if event_types is not UNSET:
            field_dict["event_types"] = event_types
        if expires_in_secs is not UNSET:
            field_dict["expires_in_secs"] = expires_in_secs
        if headers is not UNSET:
            field_dict["headers"] = headers
        if metadata is not UNSET:
            field_dict["metadata"] = metadata
        if oauth2 is not UNSET:
            field_dict["oauth2"] = oauth2
        if paused is not UNSET:
            field_dict["paused"] = paused
        if profile is not UNSET:
            field_dict["profile"] = profile
        if tls is not UNSET:
            field_dict["tls"] = tls
        if url is not UNSET:
            field_dict["url"] = url

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.endpoint_profile import EndpointProfile  # noqa: PLC0415
        from ..models.o_auth_2_input import OAuth2Input  # noqa: PLC0415
        from ..models.tls_input import TlsInput  # noqa: PLC0415
        from ..models.update_endpoint_headers_type_0 import UpdateEndpointHeadersType0  # noqa: PLC0415
        from ..models.update_endpoint_metadata_type_0 import UpdateEndpointMetadataType0  # noqa: PLC0415

        d = dict(src_dict)

        def _parse_credential(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        credential = _parse_credential(d.pop("credential", UNSET))

        def _parse_description(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        description = _parse_description(d.pop("description", UNSET))

        def _parse_disabled(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        disabled = _parse_disabled(d.pop("disabled", UNSET))

        def _parse_event_types(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                event_types_type_0 = cast(list[str], data)

                return event_types_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        event_types = _parse_event_types(d.pop("event_types", UNSET))

        def _parse_expires_in_secs(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        expires_in_secs = _parse_expires_in_secs(d.pop("expires_in_secs", UNSET))

        def _parse_headers(data: object) -> None | Unset | UpdateEndpointHeadersType0:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                headers_type_0 = UpdateEndpointHeadersType0.from_dict(data)

                return headers_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | UpdateEndpointHeadersType0, data)

        headers = _parse_headers(d.pop("headers", UNSET))

        def _parse_metadata(data: object) -> None | Unset | UpdateEndpointMetadataType0:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                metadata_type_0 = UpdateEndpointMetadataType0.from_dict(data)

                return metadata_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | UpdateEndpointMetadataType0, data)

        metadata = _parse_metadata(d.pop("metadata", UNSET))

        def _parse_oauth2(data: object) -> None | OAuth2Input | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                oauth2_type_0 = OAuth2Input.from_dict(data)

                return oauth2_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | OAuth2Input | Unset, data)

        oauth2 = _parse_oauth2(d.pop("oauth2", UNSET))

        def _parse_paused(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        paused = _parse_paused(d.pop("paused", UNSET))

        def _parse_profile(data: object) -> EndpointProfile | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                profile_type_0 = EndpointProfile.from_dict(data)

                return profile_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(EndpointProfile | None | Unset, data)

        profile = _parse_profile(d.pop("profile", UNSET))

        def _parse_tls(data: object) -> None | TlsInput | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                tls_type_0 = TlsInput.from_dict(data)

                return tls_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | TlsInput | Unset, data)

        tls = _parse_tls(d.pop("tls", UNSET))

        def _parse_url(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        url = _parse_url(d.pop("url", UNSET))

        update_endpoint = cls(
            credential=credential,
            description=description,
            disabled=disabled,
            event_types=event_types,
            expires_in_secs=expires_in_secs,
            headers=headers,
            metadata=metadata,
            oauth2=oauth2,
            paused=paused,
            profile=profile,
            tls=tls,
            url=url,
        )

        return update_endpoint
