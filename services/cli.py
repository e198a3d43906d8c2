"""The `stegvis` command (see api.md, "Command line")."""

import argparse
import asyncio
import importlib
import os
import sys
from datetime import date
from pathlib import Path

from shared.platform.logs import configure_logging
from shared.platform.settings import Settings

SERVICES = ("intake", "outcomes", "reporting")
CONSOLE_COMMANDS = ("up", "rebuild", "import", "backup", "restore", "purge")
CONSOLE_LOGGING = {"STEGVIS_LOG_FORMAT": "text", "STEGVIS_LOG_LEVEL": "WARNING"}
"""A person reads what these print: plain lines, none per event unless asked for."""


def _run_service(name: str, settings: Settings) -> int:
    # Imported here: `stegvis rebuild`'s processes import this module (spawned, as
    # `__main__`'s), and need none of the web server.
    from shared.platform.http import serve

    bootstrap = importlib.import_module(f"services.{name}.bootstrap")
    port = getattr(settings, f"{name}_port")
    serve(bootstrap.create_app(settings), settings.host, port)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="stegvis", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("up", help="run the whole system (embedded SQLite and Redis by default)")
    for name in SERVICES:
        commands.add_parser(name, help=f"run the {name} service alone")
    rebuild = commands.add_parser(
        "rebuild", help="rebuild outcomes' and reporting's state from intake's event log"
    )
    rebuild.add_argument(
        "--wait",
        type=float,
        default=0,
        metavar="SECONDS",
        help="show progress until the reports reflect the whole log (at most SECONDS)",
    )
    importing = commands.add_parser(
        "import",
        help="import participants from a spreadsheet into intake: every row or none, "
        "each file once",
    )
    importing.add_argument("file", type=Path, help="an .xlsx (first sheet) or a .csv (UTF-8)")
    backing_up = commands.add_parser(
        "backup",
        help="copy the embedded default's data (STEGVIS_DATA_DIR) into FILE, while it runs or not",
    )
    backing_up.add_argument("file", type=Path, help="the backup to write (a .tar.gz)")
    restoring = commands.add_parser(
        "restore",
        help="restore a backup into an empty or absent STEGVIS_DATA_DIR; "
        "the next `stegvis up` rebuilds the figures from it",
    )
    restoring.add_argument("file", type=Path, help="a file `stegvis backup` wrote")
    purging = commands.add_parser(
        "purge",
        help="erase every participant whose stop is dated before a day (gallring): "
        "the figures stay as they are",
    )
    purging.add_argument(
        "--ended-before", type=date.fromisoformat, required=True, metavar="YYYY-MM-DD"
    )
    purging.add_argument(
        "--dry-run", action="store_true", help="print how many per insats; change nothing"
    )
    purging.add_argument(
        "--wait",
        type=float,
        default=300,
        metavar="SECONDS",
        help="show progress until outcomes and reporting erased them too, then compact the "
        "databases (at most SECONDS; 0: do not wait)",
    )
    args = parser.parse_args(argv)
    if args.command in CONSOLE_COMMANDS:
        for key, value in CONSOLE_LOGGING.items():
            os.environ.setdefault(key, value)  # `up`'s children inherit them
    settings = Settings()
    configure_logging(args.command, settings.log_format, settings.log_level)
    if args.command == "up":
        from services.up import up

        return up(settings)
    if args.command == "rebuild":
        from services import rebuild as rebuilding

        return asyncio.run(rebuilding.rebuild(settings, args.wait))
    if args.command in ("backup", "restore"):
        from services import backup
        from services import rebuild as rebuilding

        if args.command == "backup":
            return backup.backup(settings, args.file)
        return backup.restore(
            settings, args.file, lambda: asyncio.run(rebuilding.rebuild(settings, 0))
        )
    if args.command == "purge":
        from services.purge import purge

        return asyncio.run(purge(settings, args.ended_before, args.dry_run, args.wait))
    if args.command == "import":
        from services.intake.entrypoints.import_cli import run_import

        return asyncio.run(run_import(settings, args.file))
    return _run_service(args.command, settings)


if __name__ == "__main__":
    sys.exit(main())
