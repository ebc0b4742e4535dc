"""gkqc: data-quality checks for government information disclosure annual reports.

Before polars and pyarrow are first imported, their allocators are set up for many short-lived
large blocks on a small VM, where every freshly touched page is expensive:
- polars (jemalloc): one arena and no separate arena for large blocks. Check batches allocate and
  free the same large columns again and again, from several threads; by default each thread's
  arena keeps its own freed memory and blocks of 8 MB or more go straight back to the system, so
  the next batch faults in fresh pages, which on a small VM costs a quarter of the check stage.
- pyarrow (mimalloc): no transparent huge pages. mimalloc applies this to the whole process and
  the processes it starts (parser workers included) once pyarrow is imported. Reading a batch's
  cell tables otherwise zeroes whole 2 MB pages of which the buffers use a part (+100 MB resident
  where 4 KB pages give +69 MB); at 20k reports the check stage's system time fell from
  0.49–0.62 s to 0.26–0.31 s, its peak by about 70 MB and its time by about a tenth.
An explicit `_RJEM_MALLOC_CONF` or `MIMALLOC_ALLOW_THP` wins.
"""

import os

os.environ.setdefault("_RJEM_MALLOC_CONF", "narenas:1,oversize_threshold:0")
os.environ.setdefault("MIMALLOC_ALLOW_THP", "0")
