#!/usr/bin/env python3
"""Compares how fast builds restart with --data-dir: each build writes a data directory of
N secrets (loaded as bench/scale.py loads them), then the builds restart in turn, round
after round, so a busy machine slows them alike. Prints, per build, the median wall time
from spawn to the first 200 from /_emulator/ready, and the median CPU time the process
had used by then (user + system, from /proc), which moves less with the machine's load.

Usage: bench/restart.py BINARY [BINARY...] [--secrets N] [--rounds R]
  For example, with the build of an earlier commit REV beside this one:
    git worktree add /tmp/old REV && (cd /tmp/old && cargo build --release)
    bench/restart.py /tmp/old/target/release/csms-emulator target/release/csms-emulator
  A binary named twice is timed twice, on directories of its own.
"""

import argparse
import importlib.util
import os
import shutil
import statistics
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.util.spec_from_file_location("scale", os.path.join(HERE, "scale.py"))
scale = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(scale)


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("binaries", nargs="+")
    parser.add_argument("--secrets", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--port", type=int, default=18330)
    args = parser.parse_args()
    dirs = []
    try:
        for binary in args.binaries:
            dirs.append(tempfile.mkdtemp(prefix="csms-restart-"))
            emulator = scale.Emulator(binary, args.port, "--data-dir", dirs[-1])
            scale.load(emulator, args.secrets)
            emulator.stop()
        times = [[] for _ in args.binaries]
        for _ in range(args.rounds):
            for binary, data, runs in zip(args.binaries, dirs, times):
                emulator = scale.Emulator(binary, args.port, "--data-dir", data)
                runs.append((emulator.started_in, cpu_seconds(emulator.proc.pid)))
                emulator.stop()
        print(f"| {args.secrets:,} secrets, {args.rounds} rounds | wall (median, range) | CPU (median) |")
        print("|---|---|---|")
        for binary, runs in zip(args.binaries, times):
            walls = [wall for wall, _ in runs]
            cpu = statistics.median(cpu for _, cpu in runs)
            print(
                f"| {binary} | {statistics.median(walls):.2f} s ({min(walls):.2f}–{max(walls):.2f}) "
                f"| {cpu:.2f} s |"
            )
    finally:
        for path in dirs:
            shutil.rmtree(path, ignore_errors=True)


if __name__ == "__main__":
    main()
