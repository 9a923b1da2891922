"""Put first on a Python target's PYTHONPATH by leakcheck (--heap exact).

CPython 3.11 keeps the attribute names it looks up in a bounded type cache
whose 4096 slots are keyed by the name's address, so every name made at run
time (http.server's 'do_' + command, the names its date formatting builds)
stays alive in a slot until the slots are taken: thousands of requests that
look like a leak of up to ~112 bytes each to an exact heap. Clearing the
cache every 50 ms keeps a clean server's live heap flat; a real leak is not
touched. Then the target's own sitecustomize, if it has one, runs as usual.
"""

import os
import sys
import threading
import time


def _clear_type_cache_forever():
    while True:
        time.sleep(0.05)
        sys._clear_type_cache()


threading.Thread(target=_clear_type_cache_forever, daemon=True,
                 name="leakcheck-type-cache").start()

# Hand over to the target's own sitecustomize further along the path.
_here = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != _here]
# The import machinery that is running this file takes its entry from
# sys.modules when it finishes: put ours back unless the target's took it.
_self = sys.modules.pop(__name__)
try:
    import sitecustomize  # noqa: F401  (the target's own, if any)
except ImportError:
    pass
finally:
    sys.modules.setdefault(__name__, _self)
