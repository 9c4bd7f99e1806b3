from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.ordering import Ordering
from ..models.retry_spec_type_0 import RetrySpecType0
from ..models.secret_kind import SecretKind
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.auto_disable import AutoDisable
    from ..models.circuit_breaker import CircuitBreaker
    from ..models.endpoint_profile_headers_type_0 import EndpointProfileHeadersType0
    from ..models.endpoint_profile_retry_by_event_type_type_0 import EndpointProfileRetryByEventTypeType0
    from ..models.envelope import Envelope
    from ..models.rate_limit import RateLimit
    from ..models.retry_spec_type_1 import RetrySpecType1
    from ..models.retry_spec_type_2 import RetrySpecType2
    from ..models.signature_type_0 import SignatureType0
    from ..models.signature_type_1 import SignatureType1
    from ..models.signature_type_2 import SignatureType2
    from ..models.signature_type_3 import SignatureType3
    from ..models.signature_type_4 import SignatureType4
    from ..models.verification import Verification


T = TypeVar("T", bound="EndpointProfile")


@_attrs_define
class EndpointProfile:
    """A delivery profile for one endpoint: any field of an application's but `app_rate_limit`, which all of an
    application's endpoints share.

        Attributes:
            app_rate_limit (None | Unset):
            auto_disable (AutoDisable | None | Unset):
            circuit_breaker (CircuitBreaker | None | Unset):
            envelope (Envelope | None | Unset):
            headers (EndpointProfileHeadersType0 | None | Unset): Extra headers; values may use `{event.type}`,
                `{message.id}`,
                `{app.id}`, `{app.uid}`.
            max_endpoints (int | None | Unset): The most endpoints an application with this profile may have (1 to
                10000), below the server's `limits.endpoints_per_app`: SocialData
                gives each account one URL. Read from the application's profile.
            max_in_flight (int | None | Unset): Most deliveries in flight to the endpoint at once, every node together.
            ordering (None | Ordering | Unset):
            rate_limit (None | RateLimit | Unset):
            retry (None | RetrySpecType0 | RetrySpecType1 | RetrySpecType2 | Unset):
            retry_by_event_type (EndpointProfileRetryByEventTypeType0 | None | Unset): Retry policies for some event types,
                keyed by event type or pattern
                (`test`, `referral.*`); they replace `retry` for the events they
                match (see [`Profile::retry_for`]).
            signature (None | SignatureType0 | SignatureType1 | SignatureType2 | SignatureType3 | SignatureType4 | Unset):
            signing (None | SecretKind | Unset):
            success_status (list[int] | None | Unset): The status codes that count as delivered (default: every 2xx), e.g.
                `[200]` for a receiver that promises exactly 200.
            timeout_ms (int | None | Unset): Per request, 100 to 60000 ms.
            unique_urls (bool | None | Unset): Creating an endpoint whose URL the application already has returns
                that endpoint instead of a second one.
            verification (None | Unset | Verification):
    """

    app_rate_limit: None | Unset = UNSET
    auto_disable: AutoDisable | None | Unset = UNSET
    circuit_breaker: CircuitBreaker | None | Unset = UNSET
    envelope: Envelope | None | Unset = UNSET
    headers: EndpointProfileHeadersType0 | None | Unset = UNSET
    max_endpoints: int | None | Unset = UNSET
    max_in_flight: int | None | Unset = UNSET
    ordering: None | Ordering | Unset = UNSET
    rate_limit: None | RateLimit | Unset = UNSET
    retry: None | RetrySpecType0 | RetrySpecType1 | RetrySpecType2 | Unset = UNSET
    retry_by_event_type: EndpointProfileRetryByEventTypeType0 | None | Unset = UNSET
    signature: None | SignatureType0 | SignatureType1 | SignatureType2 | SignatureType3 | SignatureType4 | Unset = UNSET
    signing: None | SecretKind | Unset = UNSET
    success_status: list[int] | None | Unset = UNSET
    timeout_ms: int | None | Unset = UNSET
    unique_urls: bool | None | Unset = UNSET
    verification: None | Unset | Verification = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.auto_disable import AutoDisable  # noqa: PLC0415
        from ..models.circuit_breaker import CircuitBreaker  # noqa: PLC0415
        from ..models.endpoint_profile_headers_type_0 import EndpointProfileHeadersType0  # noqa: PLC0415
        from ..models.endpoint_profile_retry_by_event_type_type_0 import EndpointProfileRetryByEventTypeType0  # noqa: PLC0415
        from ..models.envelope import Envelope  # noqa: PLC0415
        from ..models.rate_limit import RateLimit  # noqa: PLC0415
        from ..models.retry_spec_type_1 import RetrySpecType1  # noqa: PLC0415
        from ..models.retry_spec_type_2 import RetrySpecType2  # noqa: PLC0415
        from ..models.signature_type_0 import SignatureType0  # noqa: PLC0415
        from ..models.signature_type_1 import SignatureType1  # noqa: PLC0415
        from ..models.signature_type_2 import SignatureType2  # noqa: PLC0415
        from ..models.signature_type_3 import SignatureType3  # noqa: PLC0415
        from ..models.signature_type_4 import SignatureType4  # noqa: PLC0415
        from ..models.verification import Verification  # noqa: PLC0415

        app_rate_limit = self.app_rate_limit

        auto_disable: dict[str, Any] | None | Unset
        if isinstance(self.auto_disable, Unset):
            auto_disable = UNSET
        elif isinstance(self.auto_disable, AutoDisable):
            auto_disable = self.auto_disable.to_dict()
        else:
            auto_disable = self.auto_disable

        circuit_breaker: dict[str, Any] | None | Unset
        if isinstance(self.circuit_breaker, Unset):
            circuit_breaker = UNSET
        elif isinstance(self.circuit_breaker, CircuitBreaker):
            circuit_breaker = self.circuit_breaker.to_dict()
        else:
            circuit_breaker = self.circuit_breaker

        envelope: dict[str, Any] | None | Unset
        if isinstance(self.envelope, Unset):
            envelope = UNSET
        elif isinstance(self.envelope, Envelope):
            envelope = self.envelope.to_dict()
        else:
            envelope = self.envelope

        headers: dict[str, Any] | None | Unset
        if isinstance(self.headers, Unset):
            headers = UNSET
        elif isinstance(self.headers, EndpointProfileHeadersType0):
            headers = self.headers.to_dict()
        else:
            headers = self.headers

        max_endpoints: int | None | Unset
        if isinstance(self.max_endpoints, Unset):
            max_endpoints = UNSET
        else:
            max_endpoints = self.max_endpoints

        max_in_flight: int | None | Unset
        if isinstance(self.max_in_flight, Unset):
            max_in_flight = UNSET
        else:
            max_in_flight = self.max_in_flight

        ordering: None | str | Unset
        if isinstance(self.ordering, Unset):
            ordering = UNSET
        elif isinstance(self.ordering, Ordering):
            ordering = self.ordering.value
        else:
            ordering = self.ordering

        rate_limit: dict[str, Any] | None | Unset
        if isinstance(self.rate_limit, Unset):
            rate_limit = UNSET
        elif isinstance(self.rate_limit, RateLimit):
            rate_limit = self.rate_limit.to_dict()
        else:
            rate_limit = self.rate_limit

        retry: dict[str, Any] | None | str | Unset
        if isinstance(self.retry, Unset):
            retry = UNSET
        elif isinstance(self.retry, RetrySpecType0):
            retry = self.retry.value
        elif isinstance(self.retry, RetrySpecType1):
            retry = self.retry.to_dict()
        elif isinstance(self.retry, RetrySpecType2):
            retry = self.retry.to_dict()
        else:
            retry = self.retry

        retry_by_event_type: dict[str, Any] | None | Unset
        if isinstance(self.retry_by_event_type, Unset):
            retry_by_event_type = UNSET
        elif isinstance(self.retry_by_event_type, EndpointProfileRetryByEventTypeType0):
            retry_by_event_type = self.retry_by_event_type.to_dict()
        else:
            retry_by_event_type = self.retry_by_event_type

        signature: dict[str, Any] | None | Unset
        if isinstance(self.signature, Unset):
            signature = UNSET
        elif isinstance(self.signature, SignatureType0):
            signature = self.signature.to_dict()
        elif isinstance(self.signature, SignatureType1):
            signature = self.signature.to_dict()
        elif isinstance(self.signature, SignatureType2):
            signature = self.signature.to_dict()
        elif isinstance(self.signature, SignatureType3):
            signature = self.signature.to_dict()
        elif isinstance(self.signature, SignatureType4):
            signature = self.signature.to_dict()
        else:
            signature = self.signature

        signing: None | str | Unset
        if isinstance(self.signing, Unset):
            signing = UNSET
        elif isinstance(self.signing, SecretKind):
            signing = self.signing.value
        else:
            signing = self.signing

        success_status: list[int] | None | Unset
        if isinstance(self.success_status, Unset):
            success_status = UNSET
        elif isinstance(self.success_status, list):
            success_status = self.success_status

        else:
            success_status = self.success_status

        timeout_ms: int | None | Unset
        if isinstance(self.timeout_ms, Unset):
            timeout_ms = UNSET
        else:
            timeout_ms = self.timeout_ms

        unique_urls: bool | None | Unset
        if isinstance(self.unique_urls, Unset):
            unique_urls = UNSET
        else:
            unique_urls = self.unique_urls

        verification: dict[str, Any] | None | Unset
        if isinstance(self.verification, Unset):
            verification = UNSET
        elif isinstance(self.verification, Verification):
            verification = self.verification.to_dict()
        else:
            verification = self.verification

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if app_rate_limit is not UNSET:
            field_dict["app_rate_limit"] = app_rate_limit
        if auto_disable is not UNSET:
            field_dict["auto_disable"] = auto_disable
        if circuit_breaker is not UNSET:
            field_dict["circuit_breaker"] = circuit_breaker
        if envelope is not UNSET:
            field_dict["envelope"] = envelope
        if headers is not UNSET:
            field_dict["headers"] = headers
        if max_endpoints is not UNSET:
            field_dict["max_endpoints"] = max_endpoints
        if max_in_flight is not UNSET:
            field_dict["max_in_flight"] = max_in_flight
        if ordering is not UNSET:
            field_dict["ordering"] = ordering
        if rate_limit is not UNSET:
            field_dict["rate_limit"] = rate_limit
        if retry is not UNSET:
            field_dict["retry"] = retry
        if retry_by_event_type is not UNSET:
            field_dict["retry_by_event_type"] = retry_by_event_type
        if signature is not UNSET:
            field_dict["signature"] = signature
        if signing is not UNSET:
            field_dict["signing"] = signing
        if success_status is not UNSET:
            field_dict["success_status"] = success_status
        if timeout_ms is not UNSET:
            field_dict["timeout_ms"] = timeout_ms
        if unique_urls is not UNSET:
            field_dict["unique_urls"] = unique_urls
        if verification is not UNSET:
            field_dict["verification"] = verification

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.auto_disable import AutoDisable  # noqa: PLC0415
        from ..models.circuit_breaker import CircuitBreaker  # noqa: PLC0415
        from ..models.endpoint_profile_headers_type_0 import EndpointProfileHeadersType0  # noqa: PLC0415
        from ..models.endpoint_profile_retry_by_event_type_type_0 import EndpointProfileRetryByEventTypeType0  # noqa: PLC0415
        from ..models.envelope import Envelope  # noqa: PLC0415
        from ..models.rate_limit import RateLimit  # noqa: PLC0415
        from ..models.retry_spec_type_1 import RetrySpecType1  # noqa: PLC0415
        from ..models.retry_spec_type_2 import RetrySpecType2  # noqa: PLC0415
        from ..models.signature_type_0 import SignatureType0  # noqa: PLC0415
        from ..models.signature_type_1 import SignatureType1  # noqa: PLC0415
        from ..models.signature_type_2 import SignatureType2  # noqa: PLC0415
        from ..models.signature_type_3 import SignatureType3  # noqa: PLC0415
        from ..models.signature_type_4 import SignatureType4  # noqa: PLC0415
        from ..models.verification import Verification  # noqa: PLC0415

        d = dict(src_dict)
        app_rate_limit = d.pop("app_rate_limit", UNSET)

        def _parse_auto_disable(data: object) -> AutoDisable | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                auto_disable_type_0 = AutoDisable.from_dict(data)

                return auto_disable_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(AutoDisable | None | Unset, data)

        auto_disable = _parse_auto_disable(d.pop("auto_disable", UNSET))

        def _parse_circuit_breaker(data: object) -> CircuitBreaker | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                circuit_breaker_type_0 = CircuitBreaker.from_dict(data)

                return circuit_breaker_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(CircuitBreaker | None | Unset, data)

        circuit_breaker = _parse_circuit_breaker(d.pop("circuit_breaker", UNSET))

        def _parse_envelope(data: object) -> Envelope | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                envelope_type_0 = Envelope.from_dict(data)

                return envelope_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(Envelope | None | Unset, data)

        envelope = _parse_envelope(d.pop("envelope", UNSET))

        def _parse_headers(data: object) -> EndpointProfileHeadersType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                headers_type_0 = EndpointProfileHeadersType0.from_dict(data)

                return headers_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(EndpointProfileHeadersType0 | None | Unset, data)

        headers = _parse_headers(d.pop("headers", UNSET))

        def _parse_max_endpoints(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        max_endpoints = _parse_max_endpoints(d.pop("max_endpoints", UNSET))

        def _parse_max_in_flight(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        max_in_flight = _parse_max_in_flight(d.pop("max_in_flight", UNSET))

        def _parse_ordering(data: object) -> None | Ordering | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                ordering_type_0 = Ordering(data)

                return ordering_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Ordering | Unset, data)

        ordering = _parse_ordering(d.pop("ordering", UNSET))

        def _parse_rate_limit(data: object) -> None | RateLimit | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                rate_limit_type_0 = RateLimit.from_dict(data)

                return rate_limit_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | RateLimit | Unset, data)

        rate_limit = _parse_rate_limit(d.pop("rate_limit", UNSET))

        def _parse_retry(data: object) -> None | RetrySpecType0 | RetrySpecType1 | RetrySpecType2 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
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
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_retry_spec_type_2 = RetrySpecType2.from_dict(data)

                return componentsschemas_retry_spec_type_2
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | RetrySpecType0 | RetrySpecType1 | RetrySpecType2 | Unset, data)

        retry = _parse_retry(d.pop("retry", UNSET))

        def _parse_retry_by_event_type(data: object) -> EndpointProfileRetryByEventTypeType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                retry_by_event_type_type_0 = EndpointProfileRetryByEventTypeType0.from_dict(data)

                return retry_by_event_type_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(EndpointProfileRetryByEventTypeType0 | None | Unset, data)

        retry_by_event_type = _parse_retry_by_event_type(d.pop("retry_by_event_type", UNSET))

        def _parse_signature(
            data: object,
        ) -> None | SignatureType0 | SignatureType1 | SignatureType2 | SignatureType3 | SignatureType4 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_signature_type_0 = SignatureType0.from_dict(data)

                return componentsschemas_signature_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_signature_type_1 = SignatureType1.from_dict(data)

                return componentsschemas_signature_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_signature_type_2 = SignatureType2.from_dict(data)

                return componentsschemas_signature_type_2
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_signature_type_3 = SignatureType3.from_dict(data)

                return componentsschemas_signature_type_3
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_signature_type_4 = SignatureType4.from_dict(data)

                return componentsschemas_signature_type_4
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(
                None | SignatureType0 | SignatureType1 | SignatureType2 | SignatureType3 | SignatureType4 | Unset, data
            )

        signature = _parse_signature(d.pop("signature", UNSET))

        def _parse_signing(data: object) -> None | SecretKind | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                signing_type_0 = SecretKind(data)

                return signing_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | SecretKind | Unset, data)

        signing = _parse_signing(d.pop("signing", UNSET))

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

        def _parse_timeout_ms(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        timeout_ms = _parse_timeout_ms(d.pop("timeout_ms", UNSET))

        def _parse_unique_urls(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        unique_urls = _parse_unique_urls(d.pop("unique_urls", UNSET))

        def _parse_verification(data: object) -> None | Unset | Verification:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                verification_type_0 = Verification.from_dict(data)

                return verification_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | Verification, data)

        verification = _parse_verification(d.pop("verification", UNSET))

        endpoint_profile = cls(
            app_rate_limit=app_rate_limit,
            auto_disable=auto_disable,
            circuit_breaker=circuit_breaker,
            envelope=envelope,
            headers=headers,
            max_endpoints=max_endpoints,
            max_in_flight=max_in_flight,
            ordering=ordering,
            rate_limit=rate_limit,
            retry=retry,
            retry_by_event_type=retry_by_event_type,
            signature=signature,
            signing=signing,
            success_status=success_status,
            timeout_ms=timeout_ms,
            unique_urls=unique_urls,
            verification=verification,
        )

        return endpoint_profile
