"""Exports of the desk. Each format streams rows; none builds the whole file in memory."""
