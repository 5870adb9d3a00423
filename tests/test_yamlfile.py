"""The strict YAML loader: plain data with lines, and one located refusal for everything else."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from conftest import ROOT

from tradebook.data.errors import InputError
from tradebook.data.yamlfile import MAX_DEPTH, LineDict, LineList, dumps, line_at, line_of, load_yaml, loads


def refusal(text: str) -> str:
    with pytest.raises(InputError) as err:
        loads(text, "f.yml")
    assert len(err.value.problems) == 1
    return str(err.value.problems[0])


def test_every_key_and_item_keeps_its_line():
    data = loads("a: 1\nb:\n  c: [x, y]\n  d:\n    - 1\n    - {e: 2}\n", "f.yml")
    assert isinstance(data, LineDict) and data.lines == {"a": 1, "b": 2}
    assert data["b"].lines == {"c": 3, "d": 4}
    assert isinstance(data["b"]["d"], LineList) and data["b"]["d"].lines == [5, 6]
    assert line_of(data["b"], "d") == 4 and line_of(data["b"], "absent") == data["b"].line
    assert line_at(data, ("b", "d", 1, "e")) == 6
    assert line_at(data, ("b", "d", 7)) == 4  # the deepest element found
    assert line_at(data, ("b", "c", 0)) == 3


def test_the_shipped_files_load():
    for path in (ROOT / "data/claims.yml", ROOT / "data/sources.yml", *(ROOT / "params").glob("*.yml")):
        assert isinstance(load_yaml(path), LineDict)


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("a: &x 1\nb: *x\n", 1, "YAML aliases are not allowed: '&x'"),
        ("a: 1\nb: *x\n", 2, "YAML aliases are not allowed: '*x'"),
        ("a: 1\nb: 2\na: 3\n", 3, "key 'a': duplicate key; first on line 1"),
        ("x:\n  2024: a\n", 2, "expected a name as key, got 2024; put it in quotes"),
        ("true: a\n", 1, "expected a name as key, got True"),
        ("~: a\n", 1, "expected a name as key, got None"),
        ("? [a, b]\n: 1\n", 1, "expected a name as key, got ['a', 'b']"),
        ("x: !!float .inf\n", 1, "expected a finite number"),
        ("x: " + "9" * 400 + ".5\n", 1, "expected a finite number"),
        ("x: " + "9" * 5000 + "\n", 1, "number too long"),
        ("x: !!timestamp 2024-13-45\n", 1, "cannot read '2024-13-45': month must be in 1..12"),
        ("a: 1\nb: [\n", 3, "invalid YAML: expected the node content, but found '<stream end>'"),
        ("a: 1\n---\nb: 2\n", 2, "invalid YAML: expected a single document in the stream, but found another"),
        ("x: !!python/object:os.system ls\n", 1, "invalid YAML: could not determine a constructor"),
        ("x: !!seq {a: 1}\n", 1, "invalid YAML: expected a sequence"),
        ("a: 1\n\tb: 2\n", 2, "invalid YAML"),
        ("a: 1\nb: x\x00y\n", 2, "invalid YAML: character U+0000 is not allowed"),
        ("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1), 1, f"nested more than {MAX_DEPTH} levels deep"),
    ],
)
def test_refusals_are_one_located_line(text, line, fragment):
    message = refusal(text)
    assert message.startswith(f"f.yml:{line}: "), message
    assert fragment in message, message


def test_an_alias_bomb_is_refused_before_it_expands():
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [{', '.join(['*' + p] * 9)}]\n" for p, c in zip("abcdefgh", "bcdefghi", strict=True)
    )
    started = time.perf_counter()
    assert "YAML aliases are not allowed" in refusal(bomb)
    assert time.perf_counter() - started < 1


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("x: no", "no"),  # YAML 1.1 reads a Norwegian partner code as false
        ("x: NO", "NO"),
        ("x: on", "on"),
        ("x: 0x10", "0x10"),
        ("x: 010", "010"),
        ("x: 1_000", "1_000"),
        ("x: +2031", "+2031"),
        ("x: 1:20", "1:20"),
        ("x: .inf", ".inf"),
        ("x: .nan", ".nan"),
        ("x: 2025-05-30", "2025-05-30"),  # dates are text: no calendar error from the loader
        ("x: 2024-13-45", "2024-13-45"),
        ("<<: {a: 1}", {"a": 1}),  # no merge keys: '<<' is a name like any other
    ],
)
def test_lenient_yaml_scalars_stay_text(text, value):
    data = loads(text + "\n", "f.yml")
    assert data == {next(iter(data)): value}


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("2024", 2024),
        ("-2", -2),
        ("0", 0),
        ("2.5", 2.5),
        ("1.0e+9", 1e9),
        ("true", True),
        ("false", False),
        ("null", None),
        ("", None),
        ('"2024"', "2024"),
        ("'a: b'", "a: b"),
    ],
)
def test_plain_scalars(text, value):
    got = loads(f"x: {text}\n", "f.yml")["x"]
    assert got == value and type(got) is type(value)


def test_an_empty_file_is_none():
    assert loads("", "f.yml") is None
    assert loads("# only a comment\n", "f.yml") is None


def test_file_level_refusals(tmp_path):
    with pytest.raises(InputError, match="missing.yml: file not found"):
        load_yaml(tmp_path / "missing.yml")
    with pytest.raises(InputError, match="not a regular file"):
        load_yaml(tmp_path)
    fifo = tmp_path / "pipe.yml"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match="not a regular file"):
        load_yaml(fifo)  # would block forever if opened
    big = tmp_path / "big.yml"
    big.write_text("x: " + "a" * 2000 + "\n")
    with pytest.raises(InputError, match=r"big.yml:1: file too large for an input file \(over 1 kB\)"):
        load_yaml(big, max_bytes=1024)
    latin = tmp_path / "latin.yml"
    latin.write_bytes(b"a: 1\nb: caf\xe9\n")
    with pytest.raises(InputError, match=r"latin.yml:2: not UTF-8 text \(byte 11\)"):
        load_yaml(latin)


def test_an_unreadable_file_is_one_line(tmp_path, monkeypatch):
    path = tmp_path / "secret.yml"
    path.write_text("a: 1\n")

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "open", refuse)
    with pytest.raises(InputError, match="secret.yml: cannot read the file: Permission denied"):
        load_yaml(path)


def test_a_byte_order_mark_is_fine(tmp_path):
    path = tmp_path / "bom.yml"
    path.write_bytes("\ufeffa: 1\n".encode())
    assert load_yaml(path) == {"a": 1}


def test_keys_in_messages_are_printable():
    message = refusal('"a\\u202eb": 1\n"a\\u202eb": 2\n')
    assert message == "f.yml:2: key 'a\\u202eb': duplicate key; first on line 1"


def test_dumps_writes_sources_yml_as_the_importers_do_today():
    text = (ROOT / "data/sources.yml").read_text(encoding="utf-8")
    header, body = text.split("\n", 1)
    assert header.startswith("# Generated by the importers") and dumps(load_yaml(ROOT / "data/sources.yml")) == body


@pytest.mark.parametrize("text", ["1e3", "no", "2024", "null", "true", "a\x85b", "0x10"])
def test_dumps_quotes_text_that_would_read_as_something_else(text):
    assert loads(dumps({"x": text}), "f.yml") == {"x": text}
