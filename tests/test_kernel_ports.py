"""Kernels started by a test process take their ports from that process's own block."""

from __future__ import annotations

from _kernel_ports import _block, free_port


def test_does_a_kernel_started_here_use_ports_from_this_processes_block():
    from jupyter_client.manager import start_new_kernel

    block = _block()
    manager, client = start_new_kernel(startup_timeout=60)
    try:
        client.execute_interactive("x = 1", timeout=30)
        ports = [manager.shell_port, manager.iopub_port, manager.stdin_port]
        ports += [manager.hb_port, manager.control_port]
        assert all(port in block for port in ports), (ports, block)
        assert len(set(ports)) == 5
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def test_does_a_server_port_come_from_the_same_block_and_not_repeat():
    first, second = free_port(), free_port()
    assert first in _block() and second in _block() and first != second
