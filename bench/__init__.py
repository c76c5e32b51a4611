"""Benchmark: deploy many endpoints as fast as one, with few API calls (`make bench`)."""
