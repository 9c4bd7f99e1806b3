from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.signing import Signing
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.create_endpoint_headers_type_0 import CreateEndpointHeadersType0
    from ..models.create_endpoint_metadata_type_0 import CreateEndpointMetadataType0
    from ..models.endpoint_profile import EndpointProfile
    from ..models.o_auth_2_input import OAuth2Input
    from ..models.tls_input import TlsInput


T = TypeVar("T", bound="CreateEndpoint")


@_attrs_define
class CreateEndpoint:
    """
    Example:
        {'description': 'production', 'event_types': ['referral.*'], 'url': 'https://hooks.acme.example/herald'}

    Attributes:
        url (str): Where deliveries go: http(s) to a host name (the server also takes
            an IP address literal), whose addresses deliveries may reach.
        credential (None | str | Unset):
        description (str | Unset):
        disabled (bool | Unset):
        event_types (list[str] | None | Unset): Event types (or patterns with `*`) it receives; none: every type.
        expires_in_secs (int | None | Unset): A temporary endpoint: deleted by itself this many seconds from now
            (1 to 2592000) unless extended by an update.
        headers (CreateEndpointHeadersType0 | None | Unset):
        metadata (CreateEndpointMetadataType0 | None | Unset):
        oauth2 (None | OAuth2Input | Unset):
        paused (bool | Unset): Created held: deliveries queue up until it is resumed.
        profile (EndpointProfile | None | Unset):
        secret (None | str | Unset):
        signing (None | Signing | Unset):
        tls (None | TlsInput | Unset):
    """

    url: str
    credential: None | str | Unset = UNSET
    description: str | Unset = UNSET
    disabled: bool | Unset = UNSET
    event_types: list[str] | None | Unset = UNSET
    expires_in_secs: int | None | Unset = UNSET
    headers: CreateEndpointHeadersType0 | None | Unset = UNSET
    metadata: CreateEndpointMetadataType0 | None | Unset = UNSET
    oauth2: None | OAuth2Input | Unset = UNSET
    paused: bool | Unset = UNSET
    profile: EndpointProfile | None | Unset = UNSET
    secret: None | str | Unset = UNSET
    signing: None | Signing | Unset = UNSET
    tls: None | TlsInput | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.create_endpoint_headers_type_0 import CreateEndpointHeadersType0  # noqa: PLC0415
        from ..models.create_endpoint_metadata_type_0 import CreateEndpointMetadataType0  # noqa: PLC0415
        from ..models.endpoint_profile import EndpointProfile  # noqa: PLC0415
        from ..models.o_auth_2_input import OAuth2Input  # noqa: PLC0415
        from ..models.tls_input import TlsInput  # noqa: PLC0415

        url = self.url

        credential: None | str | Unset
        if isinstance(self.credential, Unset):
            credential = UNSET
        else:
            credential = self.credential

        description = self.description

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
        elif isinstance(self.headers, CreateEndpointHeadersType0):
            headers = self.headers.to_dict()
        else:
            headers = self.headers

        metadata: dict[str, Any] | None | Unset
        if isinstance(self.metadata, Unset):
            metadata = UNSET
        elif isinstance(self.metadata, CreateEndpointMetadataType0):
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

        paused = self.paused

        profile: dict[str, Any] | None | Unset
        if isinstance(self.profile, Unset):
            profile = UNSET
        elif isinstance(self.profile, EndpointProfile):
            profile = self.profile.to_dict()
        else:
            profile = self.profile

        secret: None | str | Unset
        if isinstance(self.secret, Unset):
            secret = UNSET
        else:
            secret = self.secret

        signing: None | str | Unset
        if isinstance(self.signing, Unset):
            signing = UNSET
        elif isinstance(self.signing, Signing):
            signing = self.signing.value
        else:
            signing = self.signing

        tls: dict[str, Any] | None | Unset
        if isinstance(self.tls, Unset):
            tls = UNSET
        elif isinstance(self.tls, TlsInput):
            tls = self.tls.to_dict()
        else:
            tls = self.tls

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "url": url,
            }
        )
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
        if secret is not UNSET:
            field_dict["secret"] = secret
        if signing is not UNSET:
            field_dict["signing"] = signing
        if tls is not UNSET:
            field_dict["tls"] = tls

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.create_endpoint_headers_type_0 import CreateEndpointHeadersType0  # noqa: PLC0415
        from ..models.create_endpoint_metadata_type_0 import CreateEndpointMetadataType0  # noqa: PLC0415
        from ..models.endpoint_profile import EndpointProfile  # noqa: PLC0415
        from ..models.o_auth_2_input import OAuth2Input  # noqa: PLC0415
        from ..models.tls_input import TlsInput  # noqa: PLC0415

        d = dict(src_dict)
        url = d.pop("url")

        def _parse_credential(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        credential = _parse_credential(d.pop("credential", UNSET))

        description = d.pop("description", UNSET)

        disabled = d.pop("disabled", UNSET)

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

        def _parse_headers(data: object) -> CreateEndpointHeadersType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                headers_type_0 = CreateEndpointHeadersType0.from_dict(data)

                return headers_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(CreateEndpointHeadersType0 | None | Unset, data)

        headers = _parse_headers(d.pop("headers", UNSET))

        def _parse_metadata(data: object) -> CreateEndpointMetadataType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                metadata_type_0 = CreateEndpointMetadataType0.from_dict(data)

                return metadata_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(CreateEndpointMetadataType0 | None | Unset, data)

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

        paused = d.pop("paused", UNSET)

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

        def _parse_secret(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        secret = _parse_secret(d.pop("secret", UNSET))

        def _parse_signing(data: object) -> None | Signing | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                signing_type_0 = Signing(data)

                return signing_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Signing | Unset, data)

        signing = _parse_signing(d.pop("signing", UNSET))

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

        create_endpoint = cls(
            url=url,
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
            secret=secret,
            signing=signing,
            tls=tls,
        )

        return create_endpoint
