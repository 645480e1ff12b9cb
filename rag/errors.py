"""The project's errors. Each carries the one sentence a user sees; the CLI prints it and exits."""


class RagError(Exception):
    """Base of every error a user can cause or fix; `str(err)` is the message to show."""

    exit_code = 1


class ModelError(RagError):
    """The embedding model cannot be provisioned or loaded."""


class IndexMissingError(RagError):
    """No index where one was expected."""

    exit_code = 3


class IndexMismatchError(RagError):
    """The index on disk is damaged, of another format, or built with other settings."""

    exit_code = 4


class IndexLockedError(RagError):
    """Another build holds the index lock."""

    exit_code = 5


class DocumentError(RagError):
    """A document cannot be read or parsed; the build skips it and reports why."""


class QuestionError(RagError):
    """The question cannot be asked as given (empty, too long, …)."""

    exit_code = 2
