from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.circuit_view import CircuitView
    from ..models.endpoint_view_headers import EndpointViewHeaders
    from ..models.endpoint_view_metadata import EndpointViewMetadata
    from ..models.flow_view import FlowView
    from ..models.health_view import HealthView
    from ..models.o_auth_2_view import OAuth2View
    from ..models.policy_view import PolicyView
    from ..models.profile import Profile
    from ..models.tls_view import TlsView
    from ..models.verification_view import VerificationView


T = TypeVar("T", bound="EndpointView")


@_attrs_define
class EndpointView:
    """
    Attributes:
        app_id (str):
        app_rate_limited (bool): The application's profile sets a rate (`app_rate_limit`) this
            endpoint shares with its other endpoints.
        created_at (datetime.datetime):
        description (str):
        disabled (bool):
        has_credential (bool):
        headers (EndpointViewHeaders):
        id (str):
        metadata (EndpointViewMetadata):
        paused (bool): Held: deliveries are queued but wait, using no attempts, until it is
            resumed (`PATCH {"paused": false}`).
        signing (str): How deliveries are signed: `hmac-sha256` (`v1,`, a `whsec_`
            secret) or `ed25519` (`v1a,`, a `whsk_` secret key).
        updated_at (datetime.datetime):
        url (str):
        circuit (CircuitView | None | Unset):
        disabled_at (datetime.datetime | None | Unset):
        disabled_reason (None | str | Unset): Why Herald disabled it (a 410, the auto-disable rule); `null` when
            enabled or disabled by hand.
        effective (None | PolicyView | Unset):
        event_types (list[str] | None | Unset): `null` = every event type.
        expires_at (datetime.datetime | None | Unset): When this temporary endpoint deletes itself; `null`: never.
        flow (FlowView | None | Unset):
        health (HealthView | None | Unset):
        oauth2 (None | OAuth2View | Unset):
        previous_secret_until (datetime.datetime | None | Unset): During a secret rotation's grace period: until when
            the previous
            secret still signs (a second `v1,` signature).
        profile (None | Profile | Unset):
        public_key (None | str | Unset): With `ed25519`: the public key (`whpk_…`) receivers verify with.
        tls (None | TlsView | Unset):
        verification (None | Unset | VerificationView):
    """

    app_id: str
    app_rate_limited: bool
    created_at: datetime.datetime
    description: str
    disabled: bool
    has_credential: bool
    headers: EndpointViewHeaders
    id: str
    metadata: EndpointViewMetadata
    paused: bool
    signing: str
    updated_at: datetime.datetime
    url: str
    circuit: CircuitView | None | Unset = UNSET
    disabled_at: datetime.datetime | None | Unset = UNSET
    disabled_reason: None | str | Unset = UNSET
    effective: None | PolicyView | Unset = UNSET
    event_types: list[str] | None | Unset = UNSET
    expires_at: datetime.datetime | None | Unset = UNSET
    flow: FlowView | None | Unset = UNSET
    health: HealthView | None | Unset = UNSET
    oauth2: None | OAuth2View | Unset = UNSET
    previous_secret_until: datetime.datetime | None | Unset = UNSET
    profile: None | Profile | Unset = UNSET
    public_key: None | str | Unset = UNSET
    tls: None | TlsView | Unset = UNSET
    verification: None | Unset | VerificationView = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.circuit_view import CircuitView  # noqa: PLC0415
        from ..models.flow_view import FlowView  # noqa: PLC0415
        from ..models.health_view import HealthView  # noqa: PLC0415
        from ..models.o_auth_2_view import OAuth2View  # noqa: PLC0415
        from ..models.policy_view import PolicyView  # noqa: PLC0415
        from ..models.profile import Profile  # noqa: PLC0415
        from ..models.tls_view import TlsView  # noqa: PLC0415
        from ..models.verification_view import VerificationView  # noqa: PLC0415

        app_id = self.app_id

        app_rate_limited = self.app_rate_limited

        created_at = self.created_at.isoformat()

        description = self.description

        disabled = self.disabled

        has_credential = self.has_credential

        headers = self.headers.to_dict()

        id = self.id

        metadata = self.metadata.to_dict()

        paused = self.paused

        signing = self.signing

        updated_at = self.updated_at.isoformat()

        url = self.url

        circuit: dict[str, Any] | None | Unset
        if isinstance(self.circuit, Unset):
            circuit = UNSET
        elif isinstance(self.circuit, CircuitView):
            circuit = self.circuit.to_dict()
        else:
            circuit = self.circuit

        disabled_at: None | str | Unset
        if isinstance(self.disabled_at, Unset):
            disabled_at = UNSET
        elif isinstance(self.disabled_at, datetime.datetime):
            disabled_at = self.disabled_at.isoformat()
        else:
            disabled_at = self.disabled_at

        disabled_reason: None | str | Unset
        if isinstance(self.disabled_reason, Unset):
            disabled_reason = UNSET
        else:
            disabled_reason = self.disabled_reason

        effective: dict[str, Any] | None | Unset
        if isinstance(self.effective, Unset):
            effective = UNSET
        elif isinstance(self.effective, PolicyView):
            effective = self.effective.to_dict()
        else:
            effective = self.effective

        event_types: list[str] | None | Unset
        if isinstance(self.event_types, Unset):
            event_types = UNSET
        elif isinstance(self.event_types, list):
            event_types = self.event_types

        else:
            event_types = self.event_types

        expires_at: None | str | Unset
        if isinstance(self.expires_at, Unset):
            expires_at = UNSET
        elif isinstance(self.expires_at, datetime.datetime):
            expires_at = self.expires_at.isoformat()
        else:
            expires_at = self.expires_at

        flow: dict[str, Any] | None | Unset
        if isinstance(self.flow, Unset):
            flow = UNSET
        elif isinstance(self.flow, FlowView):
            flow = self.flow.to_dict()
        else:
            flow = self.flow

        health: dict[str, Any] | None | Unset
        if isinstance(self.health, Unset):
            health = UNSET
        elif isinstance(self.health, HealthView):
            health = self.health.to_dict()
        else:
            health = self.health

        oauth2: dict[str, Any] | None | Unset
        if isinstance(self.oauth2, Unset):
            oauth2 = UNSET
        elif isinstance(self.oauth2, OAuth2View):
            oauth2 = self.oauth2.to_dict()
        else:
            oauth2 = self.oauth2

        previous_secret_until: None | str | Unset
        if isinstance(self.previous_secret_until, Unset):
            previous_secret_until = UNSET
        elif isinstance(self.previous_secret_until, datetime.datetime):
            previous_secret_until = self.previous_secret_until.isoformat()
        else:
            previous_secret_until = self.previous_secret_until

        profile: dict[str, Any] | None | Unset
        if isinstance(self.profile, Unset):
            profile = UNSET
        elif isinstance(self.profile, Profile):
            profile = self.profile.to_dict()
        else:
            profile = self.profile

        public_key: None | str | Unset
        if isinstance(self.public_key, Unset):
            public_key = UNSET
        else:
            public_key = self.public_key

        tls: dict[str, Any] | None | Unset
        if isinstance(self.tls, Unset):
            tls = UNSET
        elif isinstance(self.tls, TlsView):
            tls = self.tls.to_dict()
        else:
            tls = self.tls

        verification: dict[str, Any] | None | Unset
        if isinstance(self.verification, Unset):
            verification = UNSET
        elif isinstance(self.verification, VerificationView):
            verification = self.verification.to_dict()
        else:
            verification = self.verification

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "app_id": app_id,
                "app_rate_limited": app_rate_limited,
                "created_at": created_at,
                "description": description,
                "disabled": disabled,
                "has_credential": has_credential,
                "headers": headers,
                "id": id,
                "metadata": metadata,
                "paused": paused,
                "signing": signing,
                "updated_at": updated_at,
                "url": url,
            }
        )
        if circuit is not UNSET:
            field_dict["circuit"] = circuit
        if disabled_at is not UNSET:
            field_dict["disabled_at"] = disabled_at
        if disabled_reason is not UNSET:
            field_dict["disabled_reason"] = disabled_reason
        if effective is not UNSET:
            field_dict["effective"] = effective
        if event_types is not UNSET:
            field_dict["event_types"] = event_types
        if expires_at is not UNSET:
            field_dict["expires_at"] = expires_at
        if flow is not UNSET:
            field_dict["flow"] = flow
        if health is not UNSET:
            field_dict["health"] = health
        if oauth2 is not UNSET:
            field_dict["oauth2"] = oauth2
        if previous_secret_until is not UNSET:
            field_dict["previous_secret_until"] = previous_secret_until
        if profile is not UNSET:
            field_dict["profile"] = profile
        if public_key is not UNSET:
            field_dict["public_key"] = public_key
        if tls is not UNSET:
            field_dict["tls"] = tls
        if verification is not UNSET:
            field_dict["verification"] = verification

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.circuit_view import CircuitView  # noqa: PLC0415
        from ..models.endpoint_view_headers import EndpointViewHeaders  # noqa: PLC0415
        from ..models.endpoint_view_metadata import EndpointViewMetadata  # noqa: PLC0415
        from ..models.flow_view import FlowView  # noqa: PLC0415
        from ..models.health_view import HealthView  # noqa: PLC0415
        from ..models.o_auth_2_view import OAuth2View  # noqa: PLC0415
        from ..models.policy_view import PolicyView  # noqa: PLC0415
        from ..models.profile import Profile  # noqa: PLC0415
        from ..models.tls_view import TlsView  # noqa: PLC0415
        from ..models.verification_view import VerificationView  # noqa: PLC0415

        d = dict(src_dict)
        app_id = d.pop("app_id")

        app_rate_limited = d.pop("app_rate_limited")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        description = d.pop("description")

        disabled = d.pop("disabled")

        has_credential = d.pop("has_credential")

        headers = EndpointViewHeaders.from_dict(d.pop("headers"))

        id = d.pop("id")

        metadata = EndpointViewMetadata.from_dict(d.pop("metadata"))

        paused = d.pop("paused")

        signing = d.pop("signing")

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        url = d.pop("url")

        def _parse_circuit(data: object) -> CircuitView | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                circuit_type_0 = CircuitView.from_dict(data)

                return circuit_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(CircuitView | None | Unset, data)

        circuit = _parse_circuit(d.pop("circuit", UNSET))

        def _parse_disabled_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                disabled_at_type_0 = datetime.datetime.fromisoformat(data)

                return disabled_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        disabled_at = _parse_disabled_at(d.pop("disabled_at", UNSET))

        def _parse_disabled_reason(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        disabled_reason = _parse_disabled_reason(d.pop("disabled_reason", UNSET))

        def _parse_effective(data: object) -> None | PolicyView | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                effective_type_0 = PolicyView.from_dict(data)

                return effective_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | PolicyView | Unset, data)

        effective = _parse_effective(d.pop("effective", UNSET))

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

        def _parse_expires_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                expires_at_type_0 = datetime.datetime.fromisoformat(data)

                return expires_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        expires_at = _parse_expires_at(d.pop("expires_at", UNSET))

        def _parse_flow(data: object) -> FlowView | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                flow_type_0 = FlowView.from_dict(data)

                return flow_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(FlowView | None | Unset, data)

        flow = _parse_flow(d.pop("flow", UNSET))

        def _parse_health(data: object) -> HealthView | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                health_type_0 = HealthView.from_dict(data)

                return health_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(HealthView | None | Unset, data)

        health = _parse_health(d.pop("health", UNSET))

        def _parse_oauth2(data: object) -> None | OAuth2View | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                oauth2_type_0 = OAuth2View.from_dict(data)

                return oauth2_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | OAuth2View | Unset, data)

        oauth2 = _parse_oauth2(d.pop("oauth2", UNSET))

        def _parse_previous_secret_until(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                previous_secret_until_type_0 = datetime.datetime.fromisoformat(data)

                return previous_secret_until_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        previous_secret_until = _parse_previous_secret_until(d.pop("previous_secret_until", UNSET))

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

        def _parse_public_key(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        public_key = _parse_public_key(d.pop("public_key", UNSET))

        def _parse_tls(data: object) -> None | TlsView | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                tls_type_0 = TlsView.from_dict(data)

                return tls_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | TlsView | Unset, data)

        tls = _parse_tls(d.pop("tls", UNSET))

        def _parse_verification(data: object) -> None | Unset | VerificationView:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                verification_type_0 = VerificationView.from_dict(data)

                return verification_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | VerificationView, data)

        verification = _parse_verification(d.pop("verification", UNSET))

        endpoint_view = cls(
            app_id=app_id,
            app_rate_limited=app_rate_limited,
            created_at=created_at,
            description=description,
            disabled=disabled,
            has_credential=has_credential,
            headers=headers,
            id=id,
            metadata=metadata,
            paused=paused,
            signing=signing,
            updated_at=updated_at,
            url=url,
            circuit=circuit,
            disabled_at=disabled_at,
            disabled_reason=disabled_reason,
            effective=effective,
            event_types=event_types,
            expires_at=expires_at,
            flow=flow,
            health=health,
            oauth2=oauth2,
            previous_secret_until=previous_secret_until,
            profile=profile,
            public_key=public_key,
            tls=tls,
            verification=verification,
        )

        endpoint_view.additional_properties = d
        return endpoint_view

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
