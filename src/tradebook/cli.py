"""The `tradebook` command: build, validate, import, data. Errors are one line each, never a traceback."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from .errors import InputError, display_path
from .paths import project_root


def _edition(args: argparse.Namespace, root: Path):
    from . import params

    folder = root / "params"
    if args.params:
        path = Path(args.params)
    elif args.partner:
        path = params.find_for_partner(folder, args.partner) or folder / params.DEFAULT
    else:
        path = folder / params.DEFAULT
    edition = params.load(path)
    origin: dict[str, str] = {}
    overrides = {}
    for assignment in args.param or []:
        key, value = params.parse_assignment(assignment)
        overrides[key], origin[key] = value, f"-p {key}"
    for flag, key in (
        ("partner", "partner"),
        ("start_year", "start_year"),
        ("end_year", "end_year"),
        ("data_dir", "data_dir"),
    ):
        value = getattr(args, flag)
        if value is not None:
            overrides[key], origin[key] = value, f"--{flag.replace('_', '-')}"
    if "partner" in overrides:
        overrides["partner"] = str(overrides["partner"]).upper()
        if str(edition.parameters.get("partner", "")).upper() != overrides["partner"]:
            edition.slug = f"kazakhstan-{overrides['partner'].lower()}"
            edition.default = False
            from .countries import name

            edition.title = f"Kazakhstan and {name(overrides['partner'])}: trade and investment"
    edition.parameters.update(overrides)
    data_dir = Path(edition.parameters.get("data_dir") or root / "data").resolve()
    # Notebooks run in notebooks/: a relative path keeps machine-specific folders out of the book.
    edition.parameters["data_dir"] = os.path.relpath(data_dir, root / "notebooks")
    _check_edition(edition, origin, root)
    return edition


def _check_edition(edition, origin: dict[str, str], root: Path) -> None:
    from . import build, params, validate
    from .contract import iso3_codes

    declared: dict[str, str] = {}
    for nb in build.toc_notebooks(root):
        declared.update(build.declared_parameters(nb))
    params.check_types(edition, declared, origin)
    data_dir = root / "notebooks" / edition.parameters["data_dir"]
    if not data_dir.is_dir():
        raise InputError.at(
            origin.get("data_dir", edition.source), "expected a folder of data files", column="data_dir"
        )
    for key in ("partner", "reporter"):
        code = edition.parameters.get(key)
        if code is not None and code not in iso3_codes():
            raise InputError.at(
                origin.get(key, edition.source),
                f"expected an ISO3 country code, got {code!r}",
                edition.lines.get(key),
                key,
            )
    partner = edition.parameters.get("partner")
    if partner:
        trade, problems = validate.check(data_dir / "trade.csv", validate.DATASETS["trade"])
        if trade is not None and not ((trade["partner"] == partner) | (trade["reporter"] == partner)).any():
            raise InputError.at(
                origin.get("partner", edition.source),
                f"no trade data at all for partner {partner} in {display_path(data_dir)}",
                edition.lines.get("partner"),
                "partner",
            )
    start, end = edition.parameters.get("start_year"), edition.parameters.get("end_year")
    if isinstance(start, int) and isinstance(end, int) and end <= start:
        raise InputError.at(
            origin.get("end_year", edition.source),
            f"expected end_year after start_year ({start}), got {end}",
            column="end_year",
        )


def cmd_build(args: argparse.Namespace) -> int:
    from .build import build

    root = project_root()
    build(root, _edition(args, root), jobs=args.jobs)
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from .validate import validate_all

    data_dir = Path(args.data_dir) if args.data_dir else project_root() / "data"
    problems = validate_all(data_dir)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"{len(problems)} problem(s) found in {display_path(data_dir)}", file=sys.stderr)
        return 1
    print(f"All inputs in {display_path(data_dir)} follow the contract.")
    return 0


def cmd_data(args: argparse.Namespace) -> int:
    from .importers import build_data

    root = project_root()
    shared = Path(args.shared) if args.shared else root.parent / "shared" / "data-sources"
    build_data(shared, Path(args.data_dir) if args.data_dir else root / "data")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from .importers import IMPORT_COMMANDS

    data_dir = Path(args.data_dir) if args.data_dir else project_root() / "data"
    report = IMPORT_COMMANDS[args.kind](Path(args.file), data_dir)
    print(f"Imported {display_path(args.file)} into {display_path(data_dir)}: {report}")
    return 0


def parser() -> argparse.ArgumentParser:
    from .importers import IMPORT_COMMANDS

    top = argparse.ArgumentParser(prog="tradebook", description=__doc__.splitlines()[0])
    sub = top.add_subparsers(dest="command", required=True)

    b = sub.add_parser("build", help="validate the data, execute the notebooks and render the book")
    b.add_argument("--params", metavar="FILE", help="edition file (default params/kazakhstan-italy.yml)")
    b.add_argument(
        "--partner", metavar="ISO3", help="partner country, e.g. CHN (uses its edition file if any)"
    )
    b.add_argument("--start-year", type=int, help="first year of the trade chapters")
    b.add_argument("--end-year", type=int, help="last year (default: the latest in the data)")
    b.add_argument("--data-dir", metavar="DIR", help="folder of the tidy data (default data/)")
    b.add_argument("-p", "--param", action="append", metavar="NAME=VALUE", help="any notebook parameter")
    b.add_argument("--jobs", type=int, help="notebooks executed at once (default: number of cores)")
    b.set_defaults(func=cmd_build)

    v = sub.add_parser("validate", help="check every input against the data contract; list all problems")
    v.add_argument("--data-dir", metavar="DIR")
    v.set_defaults(func=cmd_validate)

    i = sub.add_parser("import", help="merge a newer official file into data/")
    i.add_argument("kind", choices=sorted(IMPORT_COMMANDS), help="which publisher's layout the file has")
    i.add_argument("file", help="the file to import")
    i.add_argument("--data-dir", metavar="DIR")
    i.set_defaults(func=cmd_import)

    d = sub.add_parser("data", help="rebuild data/ from the raw official files in ../shared/data-sources")
    d.add_argument("--shared", metavar="DIR")
    d.add_argument("--data-dir", metavar="DIR")
    d.set_defaults(func=cmd_data)
    return top


def main(argv: list[str] | None = None) -> int:
    from .build import BuildError

    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except InputError as err:
        first = err.problems[0]
        more = (
            f" (and {len(err.problems) - 1} more; run `tradebook validate`)" if len(err.problems) > 1 else ""
        )
        print(f"error: {first}{more}", file=sys.stderr)
        return 2
    except BuildError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    except FileNotFoundError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted; the published book was not changed", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
