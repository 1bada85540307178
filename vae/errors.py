"""Exceptions with messages meant for people: the CLI and the app show them as they are."""


class ExplorerError(Exception):
    """Base class of every error the app and CLI report to the user without a traceback."""


class ConfigError(ExplorerError, ValueError):
    """A configuration value is missing, unknown or out of range."""


class DatasetError(ExplorerError):
    """A dataset cannot be loaded: unknown name, offline download, or an invalid user file."""


class CheckpointError(ExplorerError):
    """A model folder cannot be read or written: missing file, corrupt weights, mismatch with its config."""
