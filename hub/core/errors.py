"""The one application error type. Services raise it for an illegal change;
views turn it into a form error, the API into a 4xx with a JSON body."""


class ApplicationError(Exception):
    def __init__(self, message: str, *, field: str | None = None, code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code
