"""The embedded default's data dir (`STEGVIS_DATA_DIR`): one owner at a time, private files.

It holds the SQLite files, the embedded Redis's AOF and socket, and the admin token: all of
it readable by this user only (files 0600, dirs 0700), whatever the umask it was made under.
"""

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

LOCK_NAME = "stegvis.lock"
PRIVATE_UMASK = 0o077
"""Files this process and its children create are the user's own (0600, dirs 0700)."""


def make_private(data_dir: Path) -> None:
    """Create `data_dir` if needed; make it and everything under it the user's only (files
    made by an older version, or by hand, under a looser umask)."""
    os.umask(PRIVATE_UMASK)
    data_dir.mkdir(parents=True, exist_ok=True)
    data_dir.chmod(0o700)
    for root, dirs, files in os.walk(data_dir):  # symlinks are left as they are
        for name, mode in [(d, 0o700) for d in dirs] + [(f, 0o600) for f in files]:
            path = os.path.join(root, name)
            if not os.path.islink(path):
                os.chmod(path, mode)


@contextmanager
def exclusive(data_dir: Path, command: str) -> Iterator[None]:
    """Hold the data dir's lock while the block runs (`stegvis up`, `stegvis restore`).

    `flock` ends with the process however it ends, so a killed holder never leaves a stale
    lock; the pid in the file names the holder for whoever is refused.
    """
    path = data_dir / LOCK_NAME
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 64, 0).decode(errors="replace").strip() or "unknown"
            raise SystemExit(
                f"stegvis {command}: {data_dir.resolve()} is in use by another stegvis "
                f"(pid {holder}); stop that one first."
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)
