from enum import StrEnum


class EnvelopeSource(StrEnum):
    APP_ID = "app.id"
    APP_LIVE = "app.live"
    APP_NAME = "app.name"
    APP_UID = "app.uid"
    EVENT_TYPE = "event.type"
    MESSAGE_ID = "message.id"
    MESSAGE_TIMESTAMP = "message.timestamp"
    MESSAGE_TIMESTAMP_ISO = "message.timestamp_iso"
    MESSAGE_TIMESTAMP_MS = "message.timestamp_ms"
    MESSAGE_TIMESTAMP_S = "message.timestamp_s"
    PAYLOAD = "payload"

    def __str__(self) -> str:
        return str(self.value)
