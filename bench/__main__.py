"""``python -m bench``: the benchmark (bench/run.py, bench/README.md)."""

import sys

from bench.run import main

sys.exit(main())
