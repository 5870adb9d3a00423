"""The `tradebook` command: build, validate, import, editions, data. Errors are one line each, no traceback."""

from __future__ import annotations

import argparse
import atexit
import contextlib
import os
import re
import signal
import sys
from pathlib import Path
from typing import NoReturn

from ..data.errors import InputError, display_path
from .errors import BuildError
from .project import project_root

# What changes the book a build makes (not --force, --jobs, --timeout or --debug): the key of its up-to-date record.
BUILD_ARGUMENTS = ("params", "partner", "start_year", "end_year", "data_dir", "param", "pdf")


def cmd_build(args: argparse.Namespace) -> int:
    from .publish import LOCK_WAIT, build_lock
    from .stamp import Request

    root = project_root()
    arguments = {name: getattr(args, name) for name in BUILD_ARGUMENTS}
    request = Request(root, arguments)
    with build_lock(root, wait=LOCK_WAIT, on_wait=lambda text: print(text, flush=True)):  # as every build does
        built = request.up_to_date()
    if built and not args.force:
        print(f"{display_path(built)} is up to date: no input changed since it was built.")
        return 0
    from .forkserver import kernel_server

    # The kernels' fork server imports their libraries and staging's on the other core while this process
    # imports Sphinx; staging (validation, notebooks) then runs in a child of it (book/build.py).
    kernels = kernel_server(root / "notebooks")
    try:
        from . import build

        target, reading = build.build(
            root,
            arguments,
            jobs=args.jobs,
            timeout=args.timeout or build.TIMEOUT,
            force=args.force,
            kernels=kernels,
        )
        request.record(target, reading)
        return 0
    finally:
        if kernels is not None:
            kernels.stop()


def cmd_validate(args: argparse.Namespace) -> int:
    from ..data.validate import partial_year_warnings
    from .staging import validate_inputs

    data_dir = Path(args.data_dir) if args.data_dir else project_root() / "data"
    problems = validate_inputs(data_dir)
    for problem in problems:
        print(problem, file=sys.stderr)
    for warning in partial_year_warnings(data_dir):
        print(f"warning: {warning}", file=sys.stderr)
    if problems:
        print(f"{len(problems)} problem(s) found in {display_path(data_dir)}", file=sys.stderr)
        return 1
    print(f"All inputs in {display_path(data_dir)} follow the contract.")
    return 0


def cmd_data(args: argparse.Namespace) -> int:
    from ..data.importers import build_data

    root = project_root()
    shared = Path(args.shared) if args.shared else root.parent / "shared" / "data-sources"
    build_data(shared, Path(args.data_dir) if args.data_dir else root / "data")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from ..data.importers import IMPORT_COMMANDS

    data_dir = Path(args.data_dir) if args.data_dir else project_root() / "data"
    report = IMPORT_COMMANDS[args.kind](Path(args.file), data_dir, override=args.override)
    print(f"Imported {display_path(args.file)} into {display_path(data_dir)}: {report}")
    for conflict in report.conflicts:
        print(f"conflict: {conflict}")
    return 0


class Version(argparse.Action):
    """--version, looked up only when asked for: the package metadata costs a no-change build a third of its time."""

    def __call__(self, parser, namespace, values, option_string=None) -> None:
        from importlib.metadata import version

        print(f"{parser.prog} {version('tradebook')}")
        parser.exit()


class Parser(argparse.ArgumentParser):
    """argparse, but a usage mistake is one line (like every other error here), not usage + error."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"error: {self.prog}: {message} (see `{self.prog} --help`)\n")


def cmd_editions(args: argparse.Namespace) -> int:
    from . import editions, staging

    root = project_root()
    for path in sorted((root / "params").glob("*.yml")):
        edition = editions.load(path)
        target = display_path(staging.target_dir(root, edition))
        print(f"{path.name:28} partner {edition.parameters.get('partner', '?'):4} → {target}")
    return 0


def positive(text: str) -> int:
    """A count of at least 1, written as plain digits."""
    if not re.fullmatch(r"[0-9]+", text) or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number ≥ 1, got {text!r}")
    return int(text)


def year(text: str) -> int:
    """A calendar year, written as four digits (not 2.0e3, +2031 or 2_024)."""
    if not re.fullmatch(r"[0-9]{4}", text):
        raise argparse.ArgumentTypeError(f"expected a year of four digits, got {text!r}")
    return int(text)


def add(sub, name: str, summary: str) -> argparse.ArgumentParser:
    """A subcommand whose one-line summary shows in `tradebook --help` and heads its own --help."""
    return sub.add_parser(name, help=summary, description=summary[0].upper() + summary[1:] + ".")


def parser(import_kinds: list[str]) -> argparse.ArgumentParser:
    top = Parser(prog="tradebook", description=__doc__.splitlines()[0])
    top.add_argument("--version", action=Version, nargs=0, help="show the version and exit")
    top.add_argument("--debug", action="store_true", help="show the traceback of an unexpected error")
    sub = top.add_subparsers(dest="command", required=True, parser_class=Parser, metavar="COMMAND")

    b = add(sub, "build", "validate the data, execute the notebooks and render the book (and its PDF)")
    b.add_argument("--params", metavar="FILE", help="edition file (default params/kazakhstan-italy.yml)")
    b.add_argument("--partner", metavar="ISO3", help="partner country, e.g. CHN (uses its edition file if any)")
    b.add_argument("--start-year", type=year, help="first year of the trade chapters")
    b.add_argument("--end-year", type=year, help="last year (default: the latest in the data)")
    b.add_argument("--data-dir", metavar="DIR", help="folder of the tidy data (default data/)")
    b.add_argument("-p", "--param", action="append", metavar="NAME=VALUE", help="any notebook parameter")
    b.add_argument("--jobs", type=positive, help="notebooks executed at once (default: number of cores)")
    b.add_argument("--force", action="store_true", help="check and render even if no input changed")
    b.add_argument("--timeout", type=positive, metavar="SECONDS", help="longest a notebook cell may run (default 600)")
    b.add_argument("--pdf", action="store_true", help="print the whole book as one PDF too (make book does)")
    b.set_defaults(func=cmd_build)

    v = add(sub, "validate", "check every input against the data contract and list all problems")
    v.add_argument("--data-dir", metavar="DIR")
    v.set_defaults(func=cmd_validate)

    i = add(sub, "import", "merge a newer official file into data/, reporting rows added, changed and kept")
    i.add_argument("kind", choices=import_kinds or None, help="which publisher's layout the file has")
    i.add_argument("file", help="the file to import")
    i.add_argument("--data-dir", metavar="DIR")
    i.add_argument(
        "--override",
        action="store_true",
        help="replace values of higher-ranked sources or newer editions too (each replacement is listed)",
    )
    i.set_defaults(func=cmd_import)

    e = add(sub, "editions", "list the editions in params/ and where each is built")
    e.set_defaults(func=cmd_editions)

    d = add(sub, "data", "rebuild data/ from the raw official files in ../shared/data-sources")
    d.add_argument("--shared", metavar="DIR")
    d.add_argument("--data-dir", metavar="DIR")
    d.set_defaults(func=cmd_data)
    return top


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    # The importers pull in pandas: list them only when the command may need them (keeps `build` quick).
    command = next((a for a in argv if not a.startswith("-")), None)
    light = command in {"build", "validate", "editions", "data"}
    if light:
        kinds: list[str] = []
    else:
        from ..data.importers import IMPORT_COMMANDS

        kinds = sorted(IMPORT_COMMANDS)
    args = parser(kinds).parse_args(argv)
    try:
        return args.func(args)
    except InputError as err:
        first = err.problems[0]
        more = f" (and {len(err.problems) - 1} more; run `tradebook validate`)" if len(err.problems) > 1 else ""
        print(f"error: {first}{more}", file=sys.stderr)
        return 2
    except BuildError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted; the published book was not changed", file=sys.stderr)
        return 130
    except (OSError, ValueError) as err:  # a full disk, a read-only folder, a value no check foresaw
        if args.debug:
            raise
        print(f"error: {describe(err)}", file=sys.stderr)
        return 2


def stop(signum: int, frame: object) -> None:
    """SIGTERM ends a command as Ctrl-C does: its workers stopped, its staging removed, the book untouched."""
    raise KeyboardInterrupt


def describe(err: BaseException) -> str:
    """One line for an error: what failed and on which file, never a traceback."""
    if isinstance(err, OSError) and err.filename:
        return f"{display_path(err.filename)}: {err.strerror or err}"
    text = " ".join(str(err).split()) or type(err).__name__
    return text if isinstance(err, OSError) else f"{type(err).__name__}: {text}"


def run() -> NoReturn:
    """The console command (`tradebook`, `python -m tradebook.book.cli`): `main` with SIGTERM handled.

    Once the command is done (its files written and closed, its processes reaped), the process exits without
    tearing down every module it imported: half a second after a build, which has Sphinx loaded.
    """
    signal.signal(signal.SIGTERM, stop)
    end(main())


def end(code: int) -> NoReturn:
    """Exit with `code` as `sys.exit` would (exit handlers run, output flushed), without the interpreter's teardown."""
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(code)


if __name__ == "__main__":
    run()
