"""Read a tidy CSV strictly and check it against the contract; every problem names file, line, column."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from . import sources
from .contract import DATASETS, Dataset
from .coverage import partial_years
from .errors import InputError, Problem, display_path
from .numbers import NumberError, parse_integer, parse_number, parse_year

MAX_PROBLEMS = 50
# Environment variable naming the file of checksums of the data files the build has just validated:
# a notebook's kernel then only parses those files, without checking the contract's rules again.
VALIDATED = "TRADEBOOK_VALIDATED"


def already_validated(path: Path) -> bool:
    """True when the build validated this very content just before running the notebooks.

    The build writes the sha256 of every file it validated to the file named by VALIDATED; a notebook's
    kernel then parses a data file without checking the contract's rules again (a file changed since
    is checked in full).
    """
    record = os.environ.get(VALIDATED)
    if not record or not Path(record).is_file():
        return False
    digests = json.loads(Path(record).read_text(encoding="utf-8"))
    key = str(Path(path).resolve())
    return key in digests and digests[key] == hashlib.sha256(Path(path).read_bytes()).hexdigest()


def record_validated(data_dir: Path, record: Path) -> None:
    """Note the sha256 of every data file just validated, for `already_validated` in the kernels."""
    files = sorted(p for p in Path(data_dir).resolve().iterdir() if p.is_file())
    digests = {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}
    record.write_text(json.dumps(digests, indent=1), encoding="utf-8")


def _read_records(
    path: Path, dataset: Dataset, raw: bytes | None = None
) -> tuple[list[str], list[list[str]], list[int]]:
    """Header, records and the line number of each record; structural errors raise."""
    name = display_path(path)
    if raw is None:
        if not path.is_file():
            raise InputError.at(path, "file not found")
        raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise InputError.at(path, f"not UTF-8 text (byte {err.start}); save the file as UTF-8", line) from None
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise InputError.at(path, f"file is empty; expected a header line: {','.join(dataset.columns)}", 1)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
        header_problems = _check_header(path, header, dataset)
        if header_problems:
            raise InputError(header_problems)
        records, lines = [], []
        for row in reader:
            if not row:
                continue
            if len(row) != len(header):
                raise InputError(
                    Problem(
                        name,
                        reader.line_num,
                        None,
                        f"{len(row)} fields where the header has {len(header)}; "
                        "is the line cut short or a value with a comma not quoted?",
                    )
                )
            records.append(row)
            lines.append(reader.line_num)
    except csv.Error as err:
        raise InputError.at(path, f"malformed CSV: {err}", reader.line_num) from None
    return header, records, lines


def _check_header(path: Path, header: list[str], dataset: Dataset) -> list[Problem]:
    name = display_path(path)
    expected = list(dataset.columns)
    allowed = set(expected) | set(dataset.optional)
    if len(header) == 1 and any(sep in header[0] for sep in ";\t|"):
        return [Problem(name, 1, None, f"not comma-separated; expected the header {','.join(expected)}")]
    problems = [
        Problem(name, 1, col, f"missing column; expected the header {','.join(expected)}")
        for col in expected
        if col not in header
    ]
    problems += [
        Problem(name, 1, col, f"unexpected column; expected the header {','.join(expected)}")
        for col in header
        if col not in allowed
    ]
    if not problems and [c for c in header if c in expected] != expected:
        problems.append(Problem(name, 1, None, f"columns out of order; expected {','.join(expected)}"))
    return problems


def _parse_numbers(frame: pd.DataFrame, lines: list[int], path: Path, dataset: Dataset) -> list[Problem]:
    """Turn number columns into numbers in place; anything but plain decimal writing is a problem.

    float() and pandas would read '203e1', '1_000', '+2031', ' 2020', 'nan' or 'inf' as numbers: here a
    year is four digits and a value plain decimals (numbers.py), and blanks only where the column is optional.
    """
    problems = []
    name = display_path(path)
    for col in (*dataset.integer, *dataset.number):
        if col not in frame:
            continue
        optional = col in dataset.optional
        parse = parse_year if col in dataset.years else parse_integer if col in dataset.integer else parse_number
        parsed: list[float | int | None] = []
        for text, line in zip(frame[col], lines, strict=True):
            if optional and text == "":
                parsed.append(None)
                continue
            try:
                parsed.append(parse(text))
            except NumberError as err:
                problems.append(Problem(name, line, col, str(err)))
                parsed.append(None)
        frame[col] = pd.array(parsed, dtype="Int64" if col in dataset.integer else "Float64")
    return problems


def _schema_problems(frame: pd.DataFrame, lines: list[int], path: Path, dataset: Dataset) -> list[Problem]:
    name = display_path(path)
    typed = frame.astype({c: "int64" for c in dataset.integer if c in frame})
    typed = typed.astype({c: "float64" for c in dataset.number if c in frame})
    try:
        dataset.schema.validate(typed, lazy=True)
    except pa.errors.SchemaErrors as err:
        problems, seen = [], set()
        for case in err.failure_cases.itertuples():
            row = int(case.index) if pd.notna(case.index) else None
            column, got = case.column, case.failure_case
            if case.schema_context == "DataFrameSchema" and row is not None:
                # A rule across columns (e.g. a world stock ≥ 0) fails once per row: name its value.
                if (row, case.check) in seen:
                    continue
                seen.add((row, case.check))
                column = dataset.rule_columns.get(case.check, "value" if "value" in typed else column)
                got = typed.loc[row, column]
                got = got.item() if hasattr(got, "item") else got  # 1995, not np.int64(1995)
            line = lines[row] if row is not None else None
            problems.append(Problem(name, line, column, f"expected {case.check}, got {got!r}"))
        return problems
    return []


def _duplicate_problems(frame: pd.DataFrame, lines: list[int], path: Path, dataset: Dataset) -> list[Problem]:
    """A row whose key, or any other set of columns the contract keeps unique, an earlier row already has."""
    name = display_path(path)
    problems = []
    for columns, what in {dataset.key: "key", **dataset.unique}.items():
        key = list(columns)
        first_line: dict[tuple, int] = {}
        for idx in frame.index[frame.duplicated(key, keep=False)]:
            k = tuple(frame.loc[idx, key])
            if k in first_line:
                problems.append(
                    Problem(
                        name,
                        lines[idx],
                        None,
                        f"duplicate {what} ({', '.join(map(str, k))}) for {', '.join(key)}; "
                        f"first seen on line {first_line[k]}",
                    )
                )
            else:
                first_line[k] = lines[idx]
    return sorted(problems, key=lambda p: p.line or 0)


def check(
    path: Path, dataset: Dataset, rules: bool = True, raw: bytes | None = None
) -> tuple[pd.DataFrame | None, list[Problem]]:
    """Parse and check one file; the frame is returned only when there is no problem.

    With `rules=False` only the parsing is done (structure, header, types), not the contract's rules:
    for a file the build has just validated, whose content is unchanged since. With `raw`, those bytes
    are checked as the file's content, before anything is written to it.

    The same bytes are parsed (and checked) once a process, wherever they lie (the frame depends on the bytes
    alone): the build checks trade.csv for the edition and again with the other files, every kernel finds
    the files its fork server parsed (`warm`), and a copy of the data folder finds them too. A file's
    problems are found once a process for the same bytes as well.
    """
    digest = None
    if raw is None:
        try:
            raw = Path(path).read_bytes()
        except OSError:
            raw = None  # absent or unreadable: reported as before
        else:
            digest = hashlib.sha256(raw).hexdigest()
            for checked in (True,) if rules else (False, True):  # a frame whose rules were checked parses alike
                kept = _CHECKED.get((dataset.name, checked))
                if kept is not None and kept[0] == digest:
                    return _copy(kept[1]), []
            refused = _REFUSED.get((Path(path).resolve(), Path.cwd(), dataset.name, rules))
            if refused is not None and refused[0] == digest:
                return None, list(refused[1])
    found = _problems(path, dataset, rules, raw)
    if isinstance(found, list):
        if digest is not None:
            _REFUSED[(Path(path).resolve(), Path.cwd(), dataset.name, rules)] = (digest, found)
        return None, list(found)
    frame, lines = found
    out = frame.astype({c: "int64" for c in dataset.integer if c in frame})
    out = out.astype({c: "float64" for c in dataset.number if c in frame})
    out.attrs["lines"] = lines
    if digest is not None:
        _CHECKED[(dataset.name, rules)] = (digest, out)
        return _copy(out), []
    return out, []


# The last frame this process parsed without a problem as each dataset, with or without the rules:
# (dataset, rules checked) → (sha256 of the bytes parsed, frame).
_CHECKED: dict[tuple[str, bool], tuple[str, pd.DataFrame]] = {}
# The last problems found in each file (named from the working directory), with or without the rules: a build
# checks a broken trade.csv for the edition and again with the other files.
_REFUSED: dict[tuple[Path, Path, str, bool], tuple[str, list[Problem]]] = {}


def _problems(
    path: Path, dataset: Dataset, rules: bool, raw: bytes | None
) -> list[Problem] | tuple[pd.DataFrame, list[int]]:
    """The problems of a file's bytes, or its frame (values parsed, not yet typed) and the line of each row."""
    try:
        header, records, lines = _read_records(path, dataset, raw)
    except InputError as err:
        return err.problems
    frame = pd.DataFrame(records, columns=header, dtype=object)
    frame = frame[[c for c in dataset.all_columns if c in frame]]
    problems = _parse_numbers(frame, lines, path, dataset)
    if not problems and rules:
        problems = _schema_problems(frame, lines, path, dataset) + _duplicate_problems(frame, lines, path, dataset)
    return problems or (frame, lines)


def _copy(frame: pd.DataFrame) -> pd.DataFrame:
    """A caller's own copy of a kept frame, its line numbers included."""
    out = frame.copy()
    out.attrs = {"lines": list(frame.attrs["lines"])}
    return out


def warm(folder: Path = Path("..") / "data") -> None:
    """Parse the default data folder's files now, without the rules: the kernels' fork server does (in the
    notebooks' folder), so each notebook's DataFolder finds a file parsed once its bytes are checked the same.
    A missing or broken file is left for the build's validation to report."""
    for dataset in DATASETS.values():
        if (Path(folder) / dataset.filename).is_file():
            check(Path(folder) / dataset.filename, dataset, rules=False)


def _unknown_sources(frame: pd.DataFrame, path: Path, known: set[str]) -> list[Problem]:
    lines = frame.attrs["lines"]
    bad = ~frame["source"].isin(known)
    return [
        Problem(display_path(path), lines[i], "source", f"unknown source id {s!r}; expected an id in sources.yml")
        for i, s in frame.loc[bad, "source"].items()
    ][:MAX_PROBLEMS]


def validate_all(data_dir: Path) -> list[Problem]:
    """Every problem in every data file under data_dir; an empty list means the data may be used."""
    data_dir = Path(data_dir)
    known, problems = sources.check(data_dir / sources.FILENAME)
    frames = {}
    for dataset in DATASETS.values():
        path = data_dir / dataset.filename
        frame, found = check(path, dataset)
        problems += found
        if frame is not None and "source" in frame and known:
            problems += _unknown_sources(frame, path, set(known))
        frames[dataset.name] = frame
    if frames["events"] is not None:
        problems += _event_references(frames["events"], frames["published_figures"], known, data_dir)
    return problems


def _event_references(
    events: pd.DataFrame, figures: pd.DataFrame | None, known: dict[str, sources.Source], data_dir: Path
) -> list[Problem]:
    """A milestone must cite a document on record: a page of published_figures.csv or a file of its source."""
    path = display_path(Path(data_dir) / DATASETS["events"].filename)
    pages = set(figures["url"]) if figures is not None else set()
    found = []
    for i, row in events.iterrows():
        line = events.attrs["lines"][i]
        ref = row["reference"]
        if ref.startswith(("http://", "https://")):
            if ref not in pages:
                message = "a URL not among the pages of published_figures.csv; cite a page on record"
                found.append(Problem(path, line, "reference", message))
            continue
        entry = known.get(row["source"])
        files = [f.path for f in entry.files] if entry else []
        if entry and not any(f == ref or f.endswith("/" + ref) for f in files):
            message = f"not a file of source {row['source']!r} in sources.yml (its files: {', '.join(files)})"
            found.append(Problem(path, line, "reference", message))
    return found


def partial_year_warnings(data_dir: Path) -> list[Problem]:
    """A warning per run of partial years in trade.csv (a series with one flow but not the other), naming
    the lines of its rows: the data may be used, but not those years as if complete."""
    path = Path(data_dir) / DATASETS["trade"].filename
    frame, problems = check(path, DATASETS["trade"], rules=False)
    if problems:
        return []
    # Taken off the frame: pandas deep-copies attrs into every group of a groupby (seconds for a 3,000-line list).
    lines = pd.Series(frame.attrs.pop("lines"), index=frame.index)
    found = []
    for (reporter, partner, present), block in partial_years(frame).groupby(["reporter", "partner", "present"]):
        years = block["year"].tolist()
        runs = [[years[0]]]
        for year in years[1:]:
            if year == runs[-1][-1] + 1:
                runs[-1].append(year)
            else:
                runs.append([year])
        missing = block["missing"].iloc[0]
        for run in runs:
            rows = frame[
                (frame["reporter"] == reporter) & (frame["partner"] == partner) & frame["year"].between(run[0], run[-1])
            ]
            at = lines[rows.index].tolist()
            span = f"{run[0]}" if len(run) == 1 else f"{run[0]}–{run[-1]}"
            message = (
                f"{reporter}→{partner} {span}: {present} without {missing} (line{'s' if len(at) > 1 else ''} "
                f"{', '.join(map(str, at))}): {'a partial year' if len(run) == 1 else 'partial years'}, "
                "not to be used as complete"
            )
            found.append(Problem(display_path(path), at[0], None, message))
    return sorted(found, key=lambda p: p.line or 0)
