"""Errors a person can act on. Each message names the problem and, for a refusal, who may act."""


class DomainError(Exception):
    """A command was refused; nothing was recorded."""


class NotFound(DomainError):
    """The thing named does not exist in the ledger."""


class AlreadyExists(DomainError):
    """The thing to create is already in the ledger."""


class NotPermitted(DomainError):
    """The acting person's role or unit does not allow the command."""


class RuleViolated(DomainError):
    """The command breaks a rule of the domain (an order of stages, a state, a date)."""


class Stale(RuleViolated):
    """Someone else changed the aggregate after the person looked at it (a page's form carried the
    version it was shown at), or at the same moment: nothing was recorded."""


class InvalidValue(DomainError, ValueError):
    """A value is malformed (a date, an amount, a code); the CLI exits 2 for these, naming the
    option that carries `field` (the command's parameter name) when one does."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field
