"""Checks a schema cannot express: totals, rules across tables, the quality register, corrections."""
