"""Contains all the data models used in inputs/outputs"""

from .app_view import AppView
from .app_view_metadata import AppViewMetadata
from .attempt_view import AttemptView
from .auto_disable import AutoDisable
from .auto_disable_view import AutoDisableView
from .batch_item import BatchItem
from .batch_view import BatchView
from .bucket_view import BucketView
from .circuit_breaker import CircuitBreaker
from .circuit_view import CircuitView
from .client_auth import ClientAuth
from .create_app import CreateApp
from .create_app_metadata_type_0 import CreateAppMetadataType0
from .create_batch import CreateBatch
from .create_endpoint import CreateEndpoint
from .create_endpoint_headers_type_0 import CreateEndpointHeadersType0
from .create_endpoint_metadata_type_0 import CreateEndpointMetadataType0
from .create_event_type import CreateEventType
from .create_event_type_schema_type_0 import CreateEventTypeSchemaType0
from .create_message import CreateMessage
from .create_recovery import CreateRecovery
from .create_token_type_0 import CreateTokenType0
from .create_token_type_1 import CreateTokenType1
from .created_token import CreatedToken
from .dashboard import Dashboard
from .dead_letter_view import DeadLetterView
from .delivery_status import DeliveryStatus
from .delivery_view import DeliveryView
from .enable_endpoint import EnableEndpoint
from .enabled import Enabled
from .endpoint_health import EndpointHealth
from .endpoint_profile import EndpointProfile
from .endpoint_profile_headers_type_0 import EndpointProfileHeadersType0
from .endpoint_profile_retry_by_event_type_type_0 import EndpointProfileRetryByEventTypeType0
from .endpoint_view import EndpointView
from .endpoint_view_headers import EndpointViewHeaders
from .endpoint_view_metadata import EndpointViewMetadata
from .envelope import Envelope
from .envelope_field_type_0 import EnvelopeFieldType0
from .envelope_field_type_1 import EnvelopeFieldType1
from .envelope_source import EnvelopeSource
from .error_body import ErrorBody
from .event_type_view import EventTypeView
from .event_type_view_schema_type_0 import EventTypeViewSchemaType0
from .figures import Figures
from .flow_view import FlowView
from .get_endpoint_secret_response_200 import GetEndpointSecretResponse200
from .health_view import HealthView
from .item_error import ItemError
from .link_request import LinkRequest
from .list_response_app_view import ListResponseAppView
from .list_response_attempt_view import ListResponseAttemptView
from .list_response_dead_letter_view import ListResponseDeadLetterView
from .list_response_endpoint_view import ListResponseEndpointView
from .list_response_event_type_view import ListResponseEventTypeView
from .list_response_message_view import ListResponseMessageView
from .list_response_recovery_view import ListResponseRecoveryView
from .list_response_token_view import ListResponseTokenView
from .message_view import MessageView
from .o_auth_2_input import OAuth2Input
from .o_auth_2_view import OAuth2View
from .ordering import Ordering
from .policy_view import PolicyView
from .policy_view_set_by import PolicyViewSetBy
from .policy_view_signature import PolicyViewSignature
from .portal_link import PortalLink
from .profile import Profile
from .profile_headers_type_0 import ProfileHeadersType0
from .profile_retry_by_event_type_type_0 import ProfileRetryByEventTypeType0
from .rate_limit import RateLimit
from .recovery_view import RecoveryView
from .request_view import RequestView
from .retry_spec_type_0 import RetrySpecType0
from .retry_spec_type_1 import RetrySpecType1
from .retry_spec_type_2 import RetrySpecType2
from .rotate_secret import RotateSecret
from .rotated import Rotated
from .secret_kind import SecretKind
from .send_test_event_response_202 import SendTestEventResponse202
from .signature_encoding import SignatureEncoding
from .signature_key import SignatureKey
from .signature_type_0 import SignatureType0
from .signature_type_0_scheme import SignatureType0Scheme
from .signature_type_1 import SignatureType1
from .signature_type_1_scheme import SignatureType1Scheme
from .signature_type_2 import SignatureType2
from .signature_type_2_scheme import SignatureType2Scheme
from .signature_type_3 import SignatureType3
from .signature_type_3_scheme import SignatureType3Scheme
from .signature_type_4 import SignatureType4
from .signature_type_4_scheme import SignatureType4Scheme
from .signing import Signing
from .stats_view import StatsView
from .stats_window import StatsWindow
from .test_event import TestEvent
from .theme import Theme
from .tls_input import TlsInput
from .tls_view import TlsView
from .token_scope import TokenScope
from .token_view import TokenView
from .update_app import UpdateApp
from .update_app_metadata_type_0 import UpdateAppMetadataType0
from .update_endpoint import UpdateEndpoint
from .update_endpoint_headers_type_0 import UpdateEndpointHeadersType0
from .update_endpoint_metadata_type_0 import UpdateEndpointMetadataType0
from .update_event_type import UpdateEventType
from .update_event_type_schema_type_0 import UpdateEventTypeSchemaType0
from .verification import Verification
from .verification_view import VerificationView

__all__ = (
    "AppView",
    "AppViewMetadata",
    "AttemptView",
    "AutoDisable",
    "AutoDisableView",
    "BatchItem",
    "BatchView",
    "BucketView",
    "CircuitBreaker",
    "CircuitView",
    "ClientAuth",
    "CreateApp",
    "CreateAppMetadataType0",
    "CreateBatch",
    "CreatedToken",
    "CreateEndpoint",
    "CreateEndpointHeadersType0",
    "CreateEndpointMetadataType0",
    "CreateEventType",
    "CreateEventTypeSchemaType0",
    "CreateMessage",
    "CreateRecovery",
    "CreateTokenType0",
    "CreateTokenType1",
    "Dashboard",
    "DeadLetterView",
    "DeliveryStatus",
    "DeliveryView",
    "Enabled",
    "EnableEndpoint",
    "EndpointHealth",
    "EndpointProfile",
    "EndpointProfileHeadersType0",
    "EndpointProfileRetryByEventTypeType0",
    "EndpointView",
    "EndpointViewHeaders",
    "EndpointViewMetadata",
    "Envelope",
    "EnvelopeFieldType0",
    "EnvelopeFieldType1",
    "EnvelopeSource",
    "ErrorBody",
    "EventTypeView",
    "EventTypeViewSchemaType0",
    "Figures",
    "FlowView",
    "GetEndpointSecretResponse200",
    "HealthView",
    "ItemError",
    "LinkRequest",
    "ListResponseAppView",
    "ListResponseAttemptView",
    "ListResponseDeadLetterView",
    "ListResponseEndpointView",
    "ListResponseEventTypeView",
    "ListResponseMessageView",
    "ListResponseRecoveryView",
    "ListResponseTokenView",
    "MessageView",
    "OAuth2Input",
    "OAuth2View",
    "Ordering",
    "PolicyView",
    "PolicyViewSetBy",
    "PolicyViewSignature",
    "PortalLink",
    "Profile",
    "ProfileHeadersType0",
    "ProfileRetryByEventTypeType0",
    "RateLimit",
    "RecoveryView",
    "RequestView",
    "RetrySpecType0",
    "RetrySpecType1",
    "RetrySpecType2",
    "Rotated",
    "RotateSecret",
    "SecretKind",
    "SendTestEventResponse202",
    "SignatureEncoding",
    "SignatureKey",
    "SignatureType0",
    "SignatureType0Scheme",
    "SignatureType1",
    "SignatureType1Scheme",
    "SignatureType2",
    "SignatureType2Scheme",
    "SignatureType3",
    "SignatureType3Scheme",
    "SignatureType4",
    "SignatureType4Scheme",
    "Signing",
    "StatsView",
    "StatsWindow",
    "TestEvent",
    "Theme",
    "TlsInput",
    "TlsView",
    "TokenScope",
    "TokenView",
    "UpdateApp",
    "UpdateAppMetadataType0",
    "UpdateEndpoint",
    "UpdateEndpointHeadersType0",
    "UpdateEndpointMetadataType0",
    "UpdateEventType",
    "UpdateEventTypeSchemaType0",
    "Verification",
    "VerificationView",
)
