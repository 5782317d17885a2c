"""Domain exceptions raised by services; views turn them into messages a person reads."""


class DomainError(Exception):
    """A rule of the domain refused the operation; `message` is Chinese and says why."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(DomainError):
    """The object does not exist, or lies outside the viewer's jurisdiction."""

    def __init__(self, message: str = "记录不存在或不在您的管辖范围内。") -> None:
        super().__init__(message)
