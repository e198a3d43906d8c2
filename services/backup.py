"""`stegvis backup FILE` and `stegvis restore FILE`: the embedded default's data in one file.

The backup is a tar of each service's SQLite database, copied with SQLite's online backup API
(a consistent snapshot of each, taken while the services write), the generated admin token,
and `manifest.json`: the format version and each file's SHA-256.

The embedded Redis is not in it. Its streams only carry what the databases already hold:
intake's event log is the source of truth, and the outboxes publish from committed rows. A
restore therefore starts a new generation, as `stegvis rebuild` does: outcomes' and
reporting's derived state and processed ids are cleared and intake's whole event log (and
every user and credential) is staged for publication, so the first `stegvis up` on the
restored dir rebuilds the figures of the moment of the backup on a fresh Redis. Processed ids
stay exact: nothing of the old streams exists to be redelivered, and the old generation's
messages would be ignored anyway. Reporting's own configuration (targets) is kept, as in a
rebuild.
"""

import hashlib
import io
import json
import sqlite3
import tarfile
import tempfile
import time
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

from services.data_dir import exclusive, make_private
from services.up import ADMIN_TOKEN_FILE, SERVICES
from shared.platform.settings import Settings

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATABASES = tuple(f"{service}.db" for service in SERVICES)
OPTIONAL = (ADMIN_TOKEN_FILE,)


class Refused(SystemExit):
    """Nothing was written; the message says why (exit status 1)."""

    def __init__(self, command: str, why: str) -> None:
        super().__init__(f"stegvis {command}: {why}")


def _embedded_only(settings: Settings, command: str) -> None:
    if settings.database_url and not settings.database_url.startswith("sqlite"):
        raise Refused(
            command,
            "STEGVIS_DATABASE_URL is set, so the data is in that database server: back it "
            "up with its own tools (PostgreSQL: pg_dump and pg_restore; see "
            "docs/operations.md). This command copies the embedded default's data dir.",
        )


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _database_copy(source: Path, scratch: Path) -> bytes:
    """A consistent copy of a live SQLite database (WAL included), as bytes."""
    target = scratch / source.name
    with closing(sqlite3.connect(source)) as reader, closing(sqlite3.connect(target)) as writer:
        reader.backup(writer)  # one step: the copy is of one moment
    return target.read_bytes()


def backup(settings: Settings, file: Path) -> int:
    _embedded_only(settings, "backup")
    data_dir = settings.data_dir
    missing = [name for name in DATABASES if not (data_dir / name).exists()]
    if missing:
        raise Refused("backup", f"no Stegvis data in {data_dir.resolve()} ({missing[0]} missing)")
    make_private(data_dir)  # and what this process creates (a -shm, say) is private too
    contents: dict[str, bytes] = {}
    with tempfile.TemporaryDirectory() as scratch:
        for name in DATABASES:
            contents[name] = _database_copy(data_dir / name, Path(scratch))
    for name in OPTIONAL:
        if (data_dir / name).exists():
            contents[name] = (data_dir / name).read_bytes()
    manifest = {
        "format": FORMAT_VERSION,
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "files": {name: _sha256(data) for name, data in contents.items()},
    }
    manifest_bytes = json.dumps(manifest, indent=2).encode()
    partial = file.with_name(f".{file.name}.partial")
    # It holds password hashes and the admin token: the owner's only, from the first byte.
    partial.touch(mode=0o600)
    partial.chmod(0o600)
    try:
        with tarfile.open(partial, "w:gz") as archive:
            for name, data in {MANIFEST: manifest_bytes, **contents}.items():
                member = tarfile.TarInfo(name)
                member.size, member.mode, member.mtime = len(data), 0o600, int(time.time())
                archive.addfile(member, io.BytesIO(data))
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    partial.replace(file)  # never a half-written FILE
    print(f"Backup written to {file} ({', '.join(contents)}).", flush=True)
    return 0


def _read(file: Path) -> dict[str, bytes]:
    """The files of a backup, checked against its manifest; refuses anything else."""
    try:
        with tarfile.open(file, "r:gz") as archive:
            members = {
                member.name: archive.extractfile(member)
                for member in archive.getmembers()
                if member.isfile()
            }
            contents = {name: f.read() for name, f in members.items() if f is not None}
    except (OSError, tarfile.TarError, EOFError) as error:
        raise Refused("restore", f"{file} is not a readable Stegvis backup ({error})") from None
    try:
        manifest = json.loads(contents.pop(MANIFEST))
        version, listed = manifest["format"], manifest["files"]
    except (KeyError, TypeError, ValueError):
        raise Refused("restore", f"{file} has no valid {MANIFEST}") from None
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise Refused(
            "restore",
            f"{file} is of backup format {version}, newer than this Stegvis reads "
            f"({FORMAT_VERSION}): restore it with the version that made it, or a newer one",
        )
    allowed = set(DATABASES) | set(OPTIONAL)
    if set(contents) != set(listed) or not set(DATABASES) <= set(listed) <= allowed:
        raise Refused("restore", f"{file} does not hold the files its manifest lists")
    for name, data in contents.items():
        if _sha256(data) != listed[name]:
            raise Refused("restore", f"{file} is damaged: {name} does not match its checksum")
    return contents


def restore(settings: Settings, file: Path, new_generation: Callable[[], object]) -> int:
    """Write the backup's files into an empty or absent data dir and start a new generation
    on them (`new_generation`: the rebuild's first steps), holding the data dir's lock."""
    _embedded_only(settings, "restore")
    data_dir = settings.data_dir
    contents = _read(file)
    if data_dir.exists() and any(data_dir.iterdir()):
        raise Refused(
            "restore",
            f"{data_dir.resolve()} is not empty: restore into a new or empty "
            "STEGVIS_DATA_DIR (move the old one aside first)",
        )
    make_private(data_dir)
    with exclusive(data_dir, "restore"):
        for name, data in contents.items():
            (data_dir / name).write_bytes(data)
        new_generation()
    print(f"Restored {file} into {data_dir.resolve()}; `stegvis up` serves it.", flush=True)
    return 0
