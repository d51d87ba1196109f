"""`manage.py bench_search`: the search benchmark (the code lives in bench/search.py)."""

from bench.search import Command

__all__ = ["Command"]
