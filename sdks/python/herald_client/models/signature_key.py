from enum import StrEnum


class SignatureKey(StrEnum):
    APP_CREDENTIAL = "app-credential"
    ENDPOINT_SECRET = "endpoint-secret"

    def __str__(self) -> str:
        return str(self.value)
