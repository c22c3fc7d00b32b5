"""Getting articles in: fetching, parsing, cleaning, deduplicating, reading tables, rules.

Nothing here imports Textual; the CLI and the TUI's workers call the same pipeline.
"""
