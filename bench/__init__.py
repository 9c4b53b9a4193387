"""Benchmarks: ``python bench/NAME.py`` for the scripts, ``python -m bench.fanout`` for fan-out."""
