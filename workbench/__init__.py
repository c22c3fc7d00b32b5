"""Newsroom Workbench: triage news, record who said what, when, reported where."""

__version__ = "0.1.0"
