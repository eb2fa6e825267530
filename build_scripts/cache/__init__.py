"""Caching: the one cache key (keys.py), the page memo, and MkDocs' conversion cache."""
