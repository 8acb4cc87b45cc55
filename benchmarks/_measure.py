"""Run one command and write its wall time, CPU time and peak RSS as JSON to a file.

    python -I -S benchmarks/_measure.py RESULT.json COMMAND [ARG ...]

The harness starts this small process, which starts the command with fork and exec and
reaps it with ``os.wait4``. ``ru_maxrss`` of a process also counts the memory of the process
it was forked from, up to its exec, so a command started straight from the harness (which
has generated a project and holds its own tables) would report at least the harness's size;
started from here, it reports at least this script's few megabytes (``python -I -S``,
nothing imported but ``os``, ``sys``, ``time`` and ``json``). The harness measures a
do-nothing command the same way and prints that figure, the resolution of the column.

``wait4`` returns the usage of the command and of every process it waited for (the worker
processes of ``kdirectory check``): ``ru_maxrss`` is the largest peak resident set of any
one of them, CPU time their sum. Exits with the command's exit code.
"""

from __future__ import annotations

import json
import os
import sys
import time


def main() -> None:
    if len(sys.argv) < 3:
        sys.exit("usage: _measure.py RESULT.json COMMAND [ARG ...]")
    result, command = sys.argv[1], sys.argv[2:]
    start = time.perf_counter()
    pid = os.fork()
    if pid == 0:  # the child: become the command
        try:
            os.execvp(command[0], command)
        finally:
            os._exit(127)
    _, status, usage = os.wait4(pid, 0)
    seconds = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    maxrss = usage.ru_maxrss if sys.platform == "darwin" else usage.ru_maxrss * 1024
    figures = {
        "seconds": seconds,
        "cpu_seconds": usage.ru_utime + usage.ru_stime,
        "peak_rss": maxrss,
        "returncode": code,
    }
    with open(result, "w", encoding="utf-8") as file:  # noqa: PTH123 - no pathlib import here
        json.dump(figures, file)
    sys.exit(code if code >= 0 else 128 - code)


if __name__ == "__main__":
    main()
