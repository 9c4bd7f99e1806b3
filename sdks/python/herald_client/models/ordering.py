from enum import StrEnum


class Ordering(StrEnum):
    FIFO = "fifo"

    def __str__(self) -> str:
        return str(self.value)
