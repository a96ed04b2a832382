#!/usr/bin/env python3
"""A/B of `tidemark verify rdb` builds against the plain read time (issue 2's "within 2x of cat").

Usage: chrt -f 10 python3 bench/verify_rdb_ab.py ROUNDS FILE NAME=BINARY [NAME=BINARY ...]

Each round runs `cat FILE >/dev/null`, then each binary's `verify rdb FILE` (in an order rotated
each round), after one warm-up read (page cache warm); prints medians of wall (fork to wait), user and sys time per
command and wall / cat's. Started under chrt (SCHED_FIFO, root), the commands inherit a real-time
priority, so the other processes of a shared machine (compilers) cannot preempt them: the CPU side
of an idle machine, though not its memory bandwidth. Without chrt it measures the machine as it is.
"""
import collections
import os
import statistics as st
import sys
import time


def run(argv):
    start = time.perf_counter_ns()
    pid = os.fork()
    if pid == 0:
        null = os.open("/dev/null", os.O_WRONLY)
        os.dup2(null, 1)
        os.execv(argv[0], argv)
    _, status, usage = os.wait4(pid, 0)
    wall = (time.perf_counter_ns() - start) / 1e6
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{' '.join(argv)} failed")
    return wall, usage.ru_utime * 1000, usage.ru_stime * 1000


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    rounds, path = int(sys.argv[1]), sys.argv[2]
    builds = [a.split("=", 1) for a in sys.argv[3:]]
    cat = ["/bin/cat", path]
    print("load average:", " ".join(open("/proc/loadavg").read().split()[:3]),
          "| real-time:", os.sched_getscheduler(0) == os.SCHED_FIFO)
    run(cat)
    times = collections.defaultdict(list)
    for r in range(rounds):
        times["cat"].append(run(cat))
        # Rotated each round: on a VM that hands freed memory back to the host, the command after
        # one that freed a lot (redis-check-rdb) pays the host's faults to get it back.
        for name, binary in builds[r % len(builds):] + builds[:r % len(builds)]:
            times[name].append(run([binary, "verify", "rdb", path]))
    print("load average after:", " ".join(open("/proc/loadavg").read().split()[:3]))
    cat_wall = st.median(t[0] for t in times["cat"])
    for name, runs in times.items():
        wall = st.median(t[0] for t in runs)
        print(f"{name:10s} wall ms {wall:5.0f} (min {min(t[0] for t in runs):.0f}, max {max(t[0] for t in runs):.0f})"
              f"  user {st.median(t[1] for t in runs):4.0f}  sys {st.median(t[2] for t in runs):4.0f}"
              f"  wall x cat {wall / cat_wall:.2f}")


if __name__ == "__main__":
    main()
