"""Measuring commands as a user runs them: each run a fresh process, timed from start to
exit, with the CPU time and the peak memory of its process tree.

Every command is started through ``_measure.py``, a small process that forks and execs it
and reaps it with :func:`os.wait4`: the rusage of that one command and of every process
it waited for (the worker processes of ``kdirectory check`` are its children, joined
before it exits). Peak RSS is that rusage's ``ru_maxrss``: the largest peak resident set
of any one process of the tree. Workers run alongside the main process, so the machine's
total at one moment can be higher; the main process holds the whole site in memory while
building, so it is the one that grows with the size of a site. Two things this avoids:
``getrusage(RUSAGE_CHILDREN)`` of the harness is a running maximum over every child it
ever waited for, not a figure per run; and a process's ``ru_maxrss`` includes the memory
of the process it was forked from, up to its exec, so a command forked straight from the
harness (which holds a generated project and kdirectory's tables) would report at least
the harness's size. Forked from ``_measure.py``, it reports at least that script's few
megabytes: :func:`rss_resolution` measures it.

CPU time is user + system time of the same tree, summed over processes: on a machine
shared with other work it moves less than the wall-clock time, which counts waiting for a
CPU. Linux and macOS only (``fork``, ``wait4``).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

MB = 1_000_000
MEASURE = Path(__file__).resolve().parent / "_measure.py"


class BenchError(Exception):
    """A measured command failed, or produced something other than what was measured."""


@dataclass
class Run:
    """One run of a command."""

    seconds: float
    cpu_seconds: float
    peak_rss: int
    """Bytes: the largest peak resident set of one process of the command's tree."""
    returncode: int
    stdout: str
    stderr: str
    load: float
    """The one-minute load average when the run started."""

    def to_json(self) -> dict[str, Any]:
        return {
            "seconds": round(self.seconds, 4),
            "cpu_seconds": round(self.cpu_seconds, 4),
            "peak_rss_mb": round(self.peak_rss / MB, 1),
            "load": self.load,
        }


@dataclass
class Measure:
    """The runs of one measure; figures are medians (peak RSS: the highest)."""

    name: str
    runs: list[Run] = field(default_factory=list)
    notes: dict[str, Any] = field(default_factory=dict)
    """What the runs produced besides time (files written, pages parsed, ...)."""

    @property
    def seconds(self) -> float:
        return statistics.median(run.seconds for run in self.runs)

    @property
    def cpu_seconds(self) -> float:
        return statistics.median(run.cpu_seconds for run in self.runs)

    @property
    def peak_rss(self) -> int:
        return max(run.peak_rss for run in self.runs)

    @property
    def load(self) -> float:
        return statistics.median(run.load for run in self.runs)

    def to_json(self) -> dict[str, Any]:
        return {
            "median_seconds": round(self.seconds, 4),
            "median_cpu_seconds": round(self.cpu_seconds, 4),
            "peak_rss_mb": round(self.peak_rss / MB, 1),
            "median_load": self.load,
            "runs": [run.to_json() for run in self.runs],
            **self.notes,
        }


def load_average() -> float:
    """The one-minute load average (0.0 where the system does not say)."""
    try:
        return os.getloadavg()[0]
    except OSError:
        return 0.0


def _text(file: IO[bytes]) -> str:
    file.seek(0)
    return file.read().decode("utf-8", "replace")


def run_command(command: Sequence[str], *, ok: Sequence[int] = (0,)) -> Run:
    """Run ``command`` in a fresh process and measure it (see the module's docstring).

    Raises:
        BenchError: the command exited with a code not in ``ok``.
    """
    with (
        tempfile.TemporaryFile() as out,
        tempfile.TemporaryFile() as err,
        tempfile.TemporaryDirectory(prefix="kdirectory-run-") as tmp,
    ):
        figures_file = Path(tmp) / "figures.json"
        load = load_average()
        wrapper = [sys.executable, "-I", "-S", str(MEASURE), str(figures_file)]
        subprocess.run(  # noqa: PLW1510 - the command's exit code is read from the figures
            [*wrapper, *command], stdin=subprocess.DEVNULL, stdout=out, stderr=err
        )
        try:
            figures = json.loads(figures_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            raise BenchError(f"{MEASURE.name} measured nothing:\n{_text(err)[-3000:]}") from None
        run = Run(
            seconds=figures["seconds"],
            cpu_seconds=figures["cpu_seconds"],
            peak_rss=figures["peak_rss"],
            returncode=figures["returncode"],
            stdout=_text(out),
            stderr=_text(err),
            load=load,
        )
    if run.returncode not in ok:
        tail = (run.stderr.strip() or run.stdout.strip())[-3000:]
        raise BenchError(f"{' '.join(command)} exited with {run.returncode}:\n{tail}")
    return run


def rss_resolution() -> int:
    """The peak RSS (bytes) reported for a command that does nothing: no figure of the
    column is below it."""
    return run_command(["true"]).peak_rss


After = Callable[[Measure, int, Run], None]
"""Called after a run (untimed) with its measure, its number and the run."""


@dataclass
class Step:
    """One measure of an interleaved series: the command, what to do before each run
    (untimed, given the run's number) and what to note or verify after it."""

    measure: Measure
    command: Sequence[str]
    before: Callable[[int], None] | None = None
    after: Sequence[After] = ()


def measure(
    steps: Sequence[Step], repeat: int, *, label: str, progress: IO[str] = sys.stderr
) -> None:
    """Run each step ``repeat`` times, interleaved (a1 b1 a2 b2 ...), so that a measure and
    its floor meet the same conditions on a machine whose load changes."""
    for number in range(repeat):
        for step in steps:
            if step.before is not None:
                step.before(number)
            run = run_command(step.command)
            step.measure.runs.append(run)
            for after in step.after:
                after(step.measure, number, run)
            progress.write(
                f"[{label}] {step.measure.name} {number + 1}/{repeat}: {run.seconds:.2f} s, "
                f"{run.cpu_seconds:.2f} s CPU, {run.peak_rss / MB:,.0f} MB, "
                f"load {run.load:.2f}\n"
            )
            progress.flush()


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A plain-text table: the first column left-aligned, the others right-aligned."""
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        first = cells[0].ljust(widths[0])
        rest = [cell.rjust(width) for cell, width in zip(cells[1:], widths[1:], strict=True)]
        return "  ".join([first, *rest]).rstrip()

    rule = "  ".join("-" * width for width in widths)
    return "\n".join([line(header), rule, *(line(row) for row in rows)])
