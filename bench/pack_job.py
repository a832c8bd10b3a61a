"""Run ONE meeting-pack export the way the worker does, in this process, and report time and peak memory.

Usage (bench/run.py calls it): python bench/pack_job.py PACK_ID → prints one JSON line.
Peak memory is this process's maximum resident set (getrusage), Django and all.
"""

import json
import os
import resource
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django  # noqa: E402

django.setup()

from reports.services import build_pack  # noqa: E402

started = time.perf_counter()
pack = build_pack(pack_id=int(sys.argv[1]))
seconds = time.perf_counter() - started
peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux
print(json.dumps({"seconds": round(seconds, 2), "peak_mb": round(peak_mb, 1), "status": pack.status,
                  "size": pack.size}))
