"""The terminal UI: the only part of the desk that imports Textual."""
