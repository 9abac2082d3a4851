"""Benchmark and load-test tooling (``make bench``, ``make load``).

Two halves that never import each other's dependencies:

* a Django app (``bench.apps``): management commands that run inside the
  project against its database, e.g. ``bench_publish`` and ``bench_seed``;
* the runners outside Django (``python -m bench``, ``python -m load``): a
  throw-away project directory, gunicorn, locust (``bench/locustfile.py``) and
  psutil (``bench/cpu.py``), in ``bench/harness.py``.

Nothing here is imported by the service itself.
"""
