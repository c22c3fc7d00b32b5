"""The one error exports raise: the CLI and the TUI show its message as one line."""


class ExportError(Exception):
    """An export that cannot be made as asked (an unknown collection, an unwritable file)."""
