"""`make bench`: every `bench_*.py` here contributes results to bench-results.json."""
