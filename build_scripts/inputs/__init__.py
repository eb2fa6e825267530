"""Readers: the metadata files and their schemas, the built package, the frozen releases."""
