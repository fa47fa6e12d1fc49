"""The kernel that runs student code during ``mhsw grade``, with limits and a guard.

``python -m helpers.grading._sandbox -f CONNECTION_FILE`` starts an ordinary IPython kernel
after setting operating-system limits on itself (memory, CPU seconds, size of files written,
no core dumps). When the kernel is ready it installs an audit hook (PEP 578) into the
student's Python that refuses:

* reading or listing anything under the protected folders (the course copy being graded
  and the temporary grading folder), except the submission's own folder and the course's
  ``data/``, ``course/``, ``src/``, ``exercises/`` and virtual-environment folders;
* writing, deleting or renaming anything outside the submission's own folder and a private
  temporary folder;
* starting other programs (``subprocess``, ``os.system``, ``os.exec*``, ``os.fork``) and
  sending signals to other processes;
* printing more than a set number of characters (the rest is dropped with a note).

Settings come from environment variables set by the grading worker (``MHSW_SANDBOX_*``).

Limits of this protection, honestly: an audit hook is not a security boundary. Code that loads
native code (``ctypes``, a compiled extension) can bypass it. It stops ordinary and accidental
misuse (a student's notebook reading the solutions, writing over other files, spawning
programs, eating memory or running forever); it does not stop a determined attacker.

When grading runs as root (as on a hub), the kernel is also a separate operating-system user
(``MHSW_SANDBOX_USER``, by default the ``mhsw-sandbox`` account): before the kernel starts, the
submission's working folder is copied into a private folder owned by that user, and the kernel
drops root for that user. It then cannot read the solutions, the gradebook or other
submissions whatever code it runs, because the operating system refuses (the grading folder
and the course copy are not readable by other accounts). Run as an ordinary user, grading keeps
the guard above only (see docs/grading.md).
"""

from __future__ import annotations

import os
import sys

ENV_PROTECT = "MHSW_SANDBOX_PROTECT"  # os.pathsep-separated folders to protect
ENV_ALLOW = "MHSW_SANDBOX_ALLOW"  # os.pathsep-separated folders inside them that stay readable
ENV_MEMORY_MB = "MHSW_SANDBOX_MEMORY_MB"
ENV_CPU_SECONDS = "MHSW_SANDBOX_CPU_SECONDS"
ENV_FILE_MB = "MHSW_SANDBOX_FILE_MB"
ENV_OUTPUT_CHARS = "MHSW_SANDBOX_OUTPUT_CHARS"
ENV_USER = "MHSW_SANDBOX_USER"  # run as this account (only when started as root)
ENV_PRIVATE = "MHSW_SANDBOX_PRIVATE"  # a root-owned 0711 folder for the private folders
# Processes (and threads) the sandbox account may have at once, across all its kernels.
MAX_PROCESSES = 512

_PROGRAM_EVENTS = {
    "subprocess.Popen",
    "os.system",
    "os.exec",
    "os.posix_spawn",
    "os.spawn",
    "os.fork",
    "os.forkpty",
    "pty.spawn",
    "os.startfile",
}
_WRITE_EVENTS = {
    "os.remove",
    "os.rmdir",
    "os.mkdir",
    "os.truncate",
    "os.chmod",
    "os.chown",
    "os.chflags",
    "os.utime",
    "shutil.rmtree",
    "shutil.chown",
}
_TWO_PATH_EVENTS = {"os.rename", "os.link", "os.symlink", "shutil.move", "shutil.copyfile"}
_READ_EVENTS = {"os.listdir", "os.scandir", "glob.glob", "sqlite3.connect"}
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC


def _folders(value: str) -> list[str]:
    return [os.path.realpath(p) for p in value.split(os.pathsep) if p]


def _inside(path: str, folders: list[str]) -> bool:
    return any(path == f or path.startswith(f.rstrip(os.sep) + os.sep) for f in folders)


class _Guard:
    def __init__(self, own: str, temp: str, protect: list[str], allow: list[str]):
        self.own = own
        self.pid = os.getpid()
        self.writable = [own, temp, os.path.realpath(os.devnull)]
        self.protect = protect
        self.readable = [own, temp] + allow
        # Python's own files: reading them is always fine and happens thousands of times
        # during imports, so it skips the (slower) symbolic-link resolution below.
        self.trusted = tuple(
            p.rstrip(os.sep) + os.sep
            for p in {sys.prefix, sys.base_prefix, sys.exec_prefix}
            if not _inside(os.path.realpath(p), protect) or _inside(os.path.realpath(p), allow)
        )

    def _path(self, value: object) -> str | None:
        if isinstance(value, bytes):
            value = os.fsdecode(value)
        if not isinstance(value, (str, os.PathLike)):
            return None  # a file descriptor: already opened
        return os.path.realpath(os.fspath(value))

    def check_read(self, value: object) -> None:
        if isinstance(value, str) and value.startswith(self.trusted) and "/.." not in value:
            return
        path = self._path(value)
        if path and _inside(path, self.protect) and not _inside(path, self.readable):
            raise PermissionError(
                f"Reading {value!r} is not allowed while notebooks are graded: use only the files "
                "in the notebook's own folder and the course datasets (load_dataset)."
            )

    def check_write(self, value: object) -> None:
        path = self._path(value)
        if path and not _inside(path, self.writable):
            raise PermissionError(
                f"Writing or changing {value!r} is not allowed while notebooks are graded: a "
                "notebook may only write files in its own folder."
            )

    def __call__(self, event: str, args: tuple) -> None:
        if event == "open":
            path, mode, flags = args
            self.check_read(path)
            writing = (
                any(c in mode for c in "wax+")
                if isinstance(mode, str)
                else bool((flags or 0) & _WRITE_FLAGS)
            )
            if writing:
                self.check_write(path)
        elif event in _READ_EVENTS:
            if args:
                self.check_read(args[0])
        elif event in _WRITE_EVENTS:
            self.check_write(args[0])
        elif event in _TWO_PATH_EVENTS:
            self.check_read(args[0])
            self.check_write(args[0] if event in ("os.rename", "shutil.move") else args[1])
            self.check_write(args[1])
        elif event in _PROGRAM_EVENTS:
            raise PermissionError(
                "Starting other programs is not allowed while notebooks are graded."
            )
        elif event in ("os.kill", "os.killpg") and args and args[0] != self.pid:
            raise PermissionError("Sending signals to other programs is not allowed.")


def _cap_output(limit: int) -> None:
    """Let at most ``limit`` characters of printed output through, then one note.

    IPython swaps ``sys.stdout.write`` around every cell (to keep output history), so the cap
    is put on again at the start of each cell, around whatever ``write`` is in place.
    """
    from IPython import get_ipython

    used = [0]  # shared by stdout and stderr and by all cells

    def capped(write):
        def write_capped(text, *args, **kwargs):
            if used[0] >= limit:
                return len(text)
            room = limit - used[0]
            used[0] += len(text)
            if len(text) > room:
                write(text[:room])
                write(
                    f"\n[Output cut here: a graded notebook may print at most {limit} characters.]"
                    "\n"
                )
                return len(text)
            return write(text, *args, **kwargs)

        write_capped.mhsw_capped = True
        return write_capped

    def before_cell(*_args) -> None:
        for stream in (sys.stdout, sys.stderr):
            if not getattr(stream.write, "mhsw_capped", False):
                stream.write = capped(stream.write)

    shell = get_ipython()
    if shell is not None:
        shell.events.register("pre_run_cell", before_cell)


def install() -> None:
    """Install the guard and the output cap in this kernel (called once, when the kernel starts)."""
    own = os.path.realpath(os.getcwd())
    temp = os.path.realpath(os.environ.get("TMPDIR") or own)
    guard = _Guard(
        own,
        temp,
        _folders(os.environ.get(ENV_PROTECT, "")),
        _folders(os.environ.get(ENV_ALLOW, "")),
    )
    limit = int(os.environ.get(ENV_OUTPUT_CHARS, "0") or 0)
    if limit:
        _cap_output(limit)
    sys.addaudithook(guard)


def _set_limits() -> None:
    import resource

    def limit(kind: int, value: int) -> None:
        soft, hard = resource.getrlimit(kind)
        if hard != resource.RLIM_INFINITY:
            value = min(value, hard)
        resource.setrlimit(kind, (value, hard if kind == resource.RLIMIT_CPU else value))

    memory = int(os.environ.get(ENV_MEMORY_MB, "0") or 0)
    if memory:
        limit(resource.RLIMIT_AS, memory * 1024 * 1024)
    cpu = int(os.environ.get(ENV_CPU_SECONDS, "0") or 0)
    if cpu:
        limit(resource.RLIMIT_CPU, cpu)
    files = int(os.environ.get(ENV_FILE_MB, "0") or 0)
    if files:
        limit(resource.RLIMIT_FSIZE, files * 1024 * 1024)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _become(account: str, base: str, argv: list[str]) -> list[str]:
    """Run the rest of this process as ``account``, in a private copy of the working folder.

    Called as root. The connection file (root's, private) is copied for the kernel too.
    Returns the kernel's arguments with the copied connection file.
    """
    import pwd
    import resource
    import shutil
    import tempfile

    entry = pwd.getpwnam(account)
    if entry.pw_uid == 0:
        raise SystemExit(f"{ENV_USER}={account} is root: grading needs an unprivileged account.")
    private = tempfile.mkdtemp(prefix="kernel-", dir=base)
    work = os.path.join(private, os.path.basename(os.getcwd()) or "work")
    shutil.copytree(os.getcwd(), work, symlinks=False)
    os.mkdir(os.path.join(private, "tmp"))
    argv = list(argv)
    if "-f" in argv:
        index = argv.index("-f") + 1
        copy = os.path.join(private, "connection.json")
        shutil.copyfile(argv[index], copy)
        argv[index] = copy
    for folder, _dirs, files in os.walk(private):
        for name in [folder, *(os.path.join(folder, f) for f in files)]:
            os.lchown(name, entry.pw_uid, entry.pw_gid)
    os.chmod(private, 0o700)
    os.chdir(work)
    os.environ.update(
        {
            "HOME": private,
            "USER": account,
            "LOGNAME": account,
            "TMPDIR": os.path.join(private, "tmp"),
            "IPYTHONDIR": os.path.join(private, ".ipython"),
            "MPLCONFIGDIR": os.path.join(private, "tmp"),
            "JUPYTER_RUNTIME_DIR": os.path.join(private, "tmp"),
        }
    )
    resource.setrlimit(resource.RLIMIT_NPROC, (MAX_PROCESSES, MAX_PROCESSES))
    os.setgroups([])
    os.setgid(entry.pw_gid)
    os.setuid(entry.pw_uid)
    try:  # make sure root cannot be taken back
        os.setuid(0)
    except PermissionError:
        pass
    else:
        raise SystemExit("Could not drop root before running student code; grading stopped.")
    return argv


def main() -> None:
    import tempfile

    argv = sys.argv[1:]
    account = os.environ.get(ENV_USER)
    if account and os.geteuid() == 0:
        argv = _become(account, os.environ[ENV_PRIVATE], argv)
    _set_limits()
    # A private temporary folder (inside the grading run's folder, removed after the run), and
    # one thread per numeric library (no oversubscription when several notebooks are graded at
    # once; less virtual memory under the limit).
    os.environ["TMPDIR"] = tempfile.mkdtemp(prefix="kernel-")
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[name] = "1"
    os.environ.setdefault("MPLBACKEND", "agg")
    from ipykernel.kernelapp import IPKernelApp

    IPKernelApp.launch_instance(
        argv=argv,
        exec_lines=['__import__("helpers.grading._sandbox").grading._sandbox.install()'],
    )


if __name__ == "__main__":
    main()
