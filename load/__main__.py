"""``python -m load``: the load test (load/run.py)."""

import sys

from load.run import main

sys.exit(main())
