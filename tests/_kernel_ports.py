"""Kernel and server ports of their own for each test process.

jupyter_client picks a kernel's five ports by asking the system for free ones and closing them
again before the kernel starts. Two processes starting kernels at the same moment (the test
processes of ``make test``, or a test process and a grading worker) can be handed the same
port; one kernel then fails to start, or receives the other's messages and dies ("Invalid
Signature"). Here each test process takes its kernels' ports from a block of its own, below
the range the system hands out, so no other process is ever given them.
"""

from __future__ import annotations

import itertools
import os
import socket
from pathlib import Path

BASE = 20000
BLOCK = 2000
_ports = None  # this process's block, in turn


def _block() -> range:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    index = int(worker[2:]) if worker[2:].isdigit() else 0
    return range(BASE + index * BLOCK, BASE + (index + 1) * BLOCK)


def _next_free(ip: str, taken: set[int]) -> int | None:
    for _ in range(BLOCK):
        port = next(_ports)
        if port in taken:
            continue
        with socket.socket() as probe:
            try:
                probe.bind((ip, port))
            except OSError:  # in use, or still closing
                continue
        taken.add(port)
        return port
    return None


def free_port(ip: str = "127.0.0.1") -> int:
    """A free port for a server this test process starts."""
    if _ports is None:
        with socket.socket() as probe:
            probe.bind((ip, 0))
            return probe.getsockname()[1]
    from jupyter_client.connect import LocalPortCache

    port = _next_free(ip, LocalPortCache.instance().currently_used_ports)
    if port is None:
        raise RuntimeError(f"no free port left in {_block()}")
    return port


def _system_range_start() -> int:
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def reserve() -> range | None:
    """Make kernels started by this process use ports from its own block; return the block."""
    global _ports
    from jupyter_client.connect import LocalPortCache

    block = _block()
    if block.stop > _system_range_start():
        return None  # more test processes than blocks: keep jupyter_client's own choice
    original = LocalPortCache.find_available_port
    _ports = itertools.cycle(block)

    def find_available_port(self, ip: str) -> int:
        port = _next_free(ip, self.currently_used_ports)
        return original(self, ip) if port is None else port

    LocalPortCache.find_available_port = find_available_port
    return block
