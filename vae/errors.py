"""Exceptions with messages meant for people: the CLI and the app show them as they are."""


class ExplorerError(Exception):
    """Base class of every error the app and CLI report to the user without a traceback."""


class ConfigError(ExplorerError, ValueError):
    """A configuration value is missing, unknown or out of range."""


class DatasetError(ExplorerError):
    """A dataset cannot be loaded: unknown name, offline download, or an invalid user file."""


class CheckpointError(ExplorerError):
    """A model folder cannot be read or written: missing file, corrupt weights, mismatch with its config."""


class SharedStateError(ExplorerError, ConnectionError):
    """The shared-state server (Redis, ``VAE_REDIS_URL``) cannot be reached: the class, its votes and the name
    reservations live there, so the call is refused with a sentence instead of a traceback. Also an ``OSError``
    (``errno`` ECONNREFUSED, ``strerror`` the sentence), so callers that report a store they cannot write (the
    training queue, the import) report this one the same way."""

    def __init__(self, message: str):
        import errno

        super().__init__(errno.ECONNREFUSED, message)

    def __str__(self) -> str:
        return str(self.strerror)
