"""The four panes of the desk, one module each."""
