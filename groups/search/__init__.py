"""Directory search: one FilterSet (filters.py) and the distance query (distance.py)."""
