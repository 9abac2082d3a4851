from __future__ import annotations

from django.apps import AppConfig


class BenchConfig(AppConfig):
    """Management commands for the benchmark and the load test; no models."""

    name = "bench"
    verbose_name = "Benchmark and load test"
