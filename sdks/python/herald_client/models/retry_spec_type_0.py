from enum import StrEnum


class RetrySpecType0(StrEnum):
    DEFAULT = "default"
    EXPONENTIAL_SHORT = "exponential-short"
    HOURLY_3_DAYS = "hourly-3-days"
    NONE = "none"

    def __str__(self) -> str:
        return str(self.value)
