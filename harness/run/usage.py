"""What a stage's build cost the machine beside its wall time: CPU seconds, and what it waited on.

A stage's wall time alone cannot tell a slow stage from a starved one. Read with its torch threads: a 1-thread
stage whose CPU seconds fall well short of its wall seconds spent the difference waiting for a core (another
process ran there: `involuntary_switches` counts the preemptions) or for the disk (`major_faults`); CPU seconds
that grow with the same work point at the work itself (memory, caches, a slower core).

Counts are process-wide (`getrusage`), plus the child processes the stage waited for (a training job under
`accelerate launch`): a stage's numbers are its own because one process builds one stage at a time. Where the
kernel exposes `/proc/stat` (Linux), the machine's side is kept too, all cores together: `machine_busy_seconds`
(every process, this one included) and `machine_steal_seconds`, time a virtual machine's cores were taken by its
host, which no process inside the machine can see otherwise.
"""

from __future__ import annotations

import os
import resource
from dataclasses import asdict, dataclass
from pathlib import Path

PROC_STAT = Path("/proc/stat")


@dataclass(frozen=True)
class Usage:
    user_seconds: float
    system_seconds: float
    involuntary_switches: int
    voluntary_switches: int
    major_faults: int
    minor_faults: int
    machine_busy_seconds: float | None = None  # None where /proc/stat is not there to read
    machine_steal_seconds: float | None = None

    @property
    def cpu_seconds(self) -> float:
        return self.user_seconds + self.system_seconds

    def since(self, start: Usage) -> Usage:
        return Usage(
            user_seconds=self.user_seconds - start.user_seconds,
            system_seconds=self.system_seconds - start.system_seconds,
            involuntary_switches=self.involuntary_switches - start.involuntary_switches,
            voluntary_switches=self.voluntary_switches - start.voluntary_switches,
            major_faults=self.major_faults - start.major_faults,
            minor_faults=self.minor_faults - start.minor_faults,
            machine_busy_seconds=_minus(self.machine_busy_seconds, start.machine_busy_seconds),
            machine_steal_seconds=_minus(self.machine_steal_seconds, start.machine_steal_seconds),
        )

    def record(self) -> dict[str, float | int]:
        """The JSON form kept in a stage's marker and its run record (seconds rounded to milliseconds)."""
        fields = {k: v for k, v in asdict(self).items() if v is not None}
        return {
            "cpu_seconds": round(self.cpu_seconds, 3),
            **{k: round(v, 3) if isinstance(v, float) else v for k, v in fields.items()},
        }


def _minus(end: float | None, start: float | None) -> float | None:
    return None if end is None or start is None else end - start


def machine_seconds() -> tuple[float, float] | tuple[None, None]:
    """(busy, steal) CPU seconds of the whole machine since boot, all cores, from /proc/stat's `cpu` line: busy is
    user + nice + system + irq + softirq; (None, None) where there is no such file."""
    try:
        fields = PROC_STAT.read_text().split("\n", 1)[0].split()
    except OSError:
        return None, None
    ticks = [int(f) for f in fields[1:9]]  # user nice system idle iowait irq softirq steal
    per_second = os.sysconf("SC_CLK_TCK")
    busy = ticks[0] + ticks[1] + ticks[2] + ticks[5] + ticks[6]
    return busy / per_second, ticks[7] / per_second


def usage_now() -> Usage:
    """This process's usage so far, plus its finished children's."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    busy, steal = machine_seconds()
    return Usage(
        user_seconds=own.ru_utime + children.ru_utime,
        system_seconds=own.ru_stime + children.ru_stime,
        involuntary_switches=own.ru_nivcsw + children.ru_nivcsw,
        voluntary_switches=own.ru_nvcsw + children.ru_nvcsw,
        major_faults=own.ru_majflt + children.ru_majflt,
        minor_faults=own.ru_minflt + children.ru_minflt,
        machine_busy_seconds=busy,
        machine_steal_seconds=steal,
    )


__all__ = ["Usage", "machine_seconds", "usage_now"]
