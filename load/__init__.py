"""The load test (``make load``, ``python -m load``): see load/run.py and the README."""
