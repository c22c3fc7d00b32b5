"""Alembic migration scripts for the desk schema.

``HEAD`` must name the newest revision; a test checks it against Alembic's own view.
"""

HEAD = "0010"
