"""gkqc: data-quality checks for government information disclosure annual reports.

Before polars is first imported, its allocator (jemalloc) is set to one arena and no separate
arena for large blocks. Check batches allocate and free the same large columns again and again,
from several threads; by default each thread's arena keeps its own freed memory and blocks of
8 MB or more go straight back to the system, so the next batch faults in fresh pages, which on
a small VM costs a quarter of the check stage. An explicit `_RJEM_MALLOC_CONF` wins.
"""

import os

os.environ.setdefault("_RJEM_MALLOC_CONF", "narenas:1,oversize_threshold:0")
