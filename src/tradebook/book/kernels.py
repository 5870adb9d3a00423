"""A Jupyter kernel manager whose kernels the build's fork server forks (forkserver.py), for papermill.

papermill hands `kernel_manager_class=ForkKernelManager` to nbclient. Everything but the launch is
jupyter_client's own LocalProvisioner (connection file, ports, environment, interrupts, shutdown,
restart): instead of `Popen(cmd)` it asks the server named by $TRADEBOOK_FORKSERVER for a forked kernel
and wraps the answer in a Popen-like handle (`ForkedKernel`). A kernel command other than this
interpreter's `-m ipykernel_launcher` starts as usual; a server that cannot be reached fails the launch
(it went away because the build is stopping).
"""

from __future__ import annotations

import json
import os
import select
import signal
import socket
import struct
import subprocess
import sys
import time
import uuid
from typing import Any

from jupyter_client.manager import AsyncKernelManager
from jupyter_client.provisioning import LocalProvisioner

from .forkserver import FORKSERVER


class ForkedKernel:
    """A kernel forked by the server, with the part of Popen's interface that LocalProvisioner uses."""

    stdin = stdout = stderr = None

    def __init__(self, address: str, argv: list[str], cwd: str, env: dict[str, str], timeout: float = 60.0):
        self.returncode: int | None = None
        self._buffer = b""
        self.conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.conn.settimeout(timeout)
        try:
            self.conn.connect(address)
            body = json.dumps({"argv": argv, "cwd": cwd, "env": env}).encode()
            message = struct.pack(">I", len(body)) + body
            # The kernel writes to this process's stdout and stderr, as a Popen child would.
            sent = socket.send_fds(self.conn, [message], [sys.stdout.fileno(), sys.stderr.fileno()])
            self.conn.sendall(message[sent:])
            reply = self._message(block=True)
        except BaseException:
            self.conn.close()
            raise
        if "pid" not in reply:
            self.conn.close()
            raise OSError(f"the fork server refused the kernel: {reply.get('error', 'no answer')}")
        self.pid: int = reply["pid"]
        self.conn.setblocking(False)

    def _message(self, block: bool) -> dict | None:
        while b"\n" not in self._buffer:
            if not block and not select.select([self.conn], [], [], 0)[0]:
                return None
            chunk = self.conn.recv(4096)
            if not chunk:
                return {"exit": -signal.SIGKILL}  # the server has gone, and its kernels with it
            self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        return json.loads(line)

    def poll(self) -> int | None:
        if self.returncode is None:
            message = self._message(block=False)
            if message is not None and "exit" in message:
                self.returncode = message["exit"]
                self.conn.close()
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                raise subprocess.TimeoutExpired("forked kernel", timeout or 0)
            select.select([self.conn], [], [], 0.05 if left is None else min(left, 0.05))
        assert self.returncode is not None
        return self.returncode

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            os.kill(self.pid, signum)  # still the server's unreaped child: the pid cannot be someone else's

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


class ForkProvisioner(LocalProvisioner):
    """LocalProvisioner whose kernels come from the fork server, when the build runs one."""

    def _forkable(self, cmd: list[str]) -> bool:
        return (
            bool(os.environ.get(FORKSERVER))
            and cmd[1:3] == ["-m", "ipykernel_launcher"]
            and os.path.realpath(cmd[0]) == os.path.realpath(sys.executable)
        )

    async def launch_kernel(self, cmd: list[str], **kwargs: Any):
        if not self._forkable(cmd):
            return await super().launch_kernel(cmd, **kwargs)
        env = dict(kwargs.get("env") or os.environ)
        cwd = str(kwargs.get("cwd") or os.getcwd())
        self.process = ForkedKernel(os.environ[FORKSERVER], cmd[3:], cwd, env)
        self.pid = self.pgid = self.process.pid  # it made itself a session (and group) leader before the answer
        self.cwd = cwd
        return self.connection_info

    async def send_signal(self, signum: int) -> None:
        if isinstance(self.process, ForkedKernel) and self.process.poll() is not None:
            return  # reaped: its pid (and group) may belong to another process now
        await super().send_signal(signum)

    async def cleanup(self, restart: bool = False) -> None:
        if isinstance(self.process, ForkedKernel):
            self.process.conn.close()  # the server kills a kernel whose requester hung up
        await super().cleanup(restart)


class ForkKernelManager(AsyncKernelManager):
    """AsyncKernelManager with a ForkProvisioner: no kernelspec or entry point to install."""

    async def _async_pre_start_kernel(self, **kw: Any) -> tuple[list[str], dict[str, Any]]:
        if self.provisioner is None:
            self.kernel_id = self.kernel_id or kw.pop("kernel_id", str(uuid.uuid4()))
            self.provisioner = ForkProvisioner(kernel_id=self.kernel_id, kernel_spec=self.kernel_spec, parent=self)
        return await super()._async_pre_start_kernel(**kw)
