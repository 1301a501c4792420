"""The ``verwijsindex`` command, run as a real process."""

from __future__ import annotations

import csv
import os
import random
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from verwijsindex_core import KeyRing, Pseudonymiser
from verwijsindex_core.pseudonym import Key, random_bsn
from verwijsindex_core.pseudonym._b64 import b64u_encode

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "examples" / "sample-clients.csv"
SCRIPT = Path(sys.executable).parent / "verwijsindex"


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def run(*args: str | Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SCRIPT), *map(str, args)],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **(env or {})},
        timeout=120,
    )


@pytest.fixture
def keyfile(tmp_path: Path) -> Path:
    path = tmp_path / "keys.json"
    done = run("keygen", "--out", path)
    assert done.returncode == 0, done.stderr
    return path


def test_console_script_is_installed() -> None:
    assert SCRIPT.exists(), "pip install should create the verwijsindex console script"
    module = subprocess.run(
        [sys.executable, "-m", "verwijsindex_core", "--version"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert module.returncode == 0 and "verwijsindex 0." in module.stdout


@pytest.mark.parametrize("command", [[], ["keygen"], ["pseudonymise"]])
def test_help_everywhere(command: list[str]) -> None:
    done = run(*command, "--help")
    assert done.returncode == 0
    assert "usage: verwijsindex" in done.stdout
    if command == ["pseudonymise"]:
        for option in ("--key", "--key-env", "--column", "--rejects", "--progress", "--purpose"):
            assert option in done.stdout


def test_keygen_writes_0600_and_never_overwrites(keyfile: Path) -> None:
    assert stat.S_IMODE(keyfile.stat().st_mode) == 0o600
    before = keyfile.read_bytes()
    again = run("keygen", "--out", keyfile)
    assert again.returncode == 1
    assert "refusing to overwrite" in again.stderr
    assert keyfile.read_bytes() == before
    other = keyfile.with_name("k2.json")
    made = run("keygen", "--out", other)
    assert made.returncode == 0
    assert f"active key id {KeyRing.load(other).active.id}" in made.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["pseudonymise"],
        ["pseudonymise", "in.csv", "out.csv"],
        ["pseudonymise", "--key", "k.json", "in.csv"],
        ["keygen"],
        ["nonsense"],
        [],
    ],
)
def test_usage_errors_exit_2(args: list[str]) -> None:
    done = run(*args)
    assert done.returncode == 2
    assert "usage:" in done.stderr


def test_pseudonymise_sample(keyfile: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    done = run("pseudonymise", "--key", keyfile, SAMPLE, out)
    assert done.returncode == 0, done.stderr
    rows_in = read_rows(SAMPLE)
    rows_out = read_rows(out)
    rejects = read_rows(out.with_name("out.csv.rejects.csv"))
    assert len(rows_out) + len(rejects) == len(rows_in) == 200
    assert {r["rule"] for r in rejects} == {
        "eleven-test",
        "characters",
        "length",
        "empty",
        "all-zeros",
    }
    pseudonymiser = Pseudonymiser(KeyRing.load(keyfile))
    by_ref = {r["client_ref"]: r for r in rows_in}
    for row in rows_out:
        assert set(row) == {"client_ref", "pseudonym", "municipality"}
        source = by_ref[row["client_ref"]]
        assert row["pseudonym"] == pseudonymiser.pseudonymise(source["bsn"]).text
        assert row["municipality"] == source["municipality"]
    for reject in rejects:
        line = int(reject["line"])
        assert rows_in[line - 2]["client_ref"] not in {r["client_ref"] for r in rows_out}
        assert reject["column"] == "bsn"
    # The BSNs of the input appear neither in the rejects file nor in what the command printed.
    reject_text = out.with_name("out.csv.rejects.csv").read_text()
    for row in rows_in:
        digits = row["bsn"].replace(".", "").replace(" ", "")
        if len(digits) >= 7:
            assert digits not in reject_text
            assert digits not in done.stderr + done.stdout
    assert "200 rows: 195 pseudonymised" in done.stderr


def test_key_from_environment_gives_the_same_pseudonyms(tmp_path: Path) -> None:
    key = Key(bytes(range(32)))
    path = tmp_path / "keys.json"
    KeyRing(key).save(path)
    env = {"VI_TEST_KEYS": b64u_encode(bytes(range(32)))}
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    assert run("pseudonymise", "--key", path, SAMPLE, first).returncode == 0
    assert run("pseudonymise", "--key-env", "VI_TEST_KEYS", SAMPLE, second, env=env).returncode == 0
    assert first.read_text() == second.read_text()


def test_purpose_changes_pseudonyms(keyfile: Path, tmp_path: Path) -> None:
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    assert run("pseudonymise", "--key", keyfile, SAMPLE, a).returncode == 0
    assert run("pseudonymise", "--key", keyfile, "--purpose", "parent", SAMPLE, b).returncode == 0
    pa = {r["pseudonym"] for r in read_rows(a)}
    pb = {r["pseudonym"] for r in read_rows(b)}
    assert not pa & pb


def test_custom_column_delimiter_bom_and_multiline_fields(keyfile: Path, tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text(
        "\ufeffnaam;burgerservicenummer\n"
        '"a";111222333\n'
        '"two\nlines";111222334\n'
        '"c";111 222 333\n'
        '"d";111222333;extra\n',
        encoding="utf-8",
    )
    out = tmp_path / "out.csv"
    rejects = tmp_path / "rej.csv"
    done = run(
        "pseudonymise",
        "--key",
        keyfile,
        "--column",
        "burgerservicenummer",
        "--output-column",
        "pseudoniem",
        "--delimiter",
        ";",
        "--rejects",
        rejects,
        source,
        out,
    )
    assert done.returncode == 0, done.stderr
    lines = out.read_text().splitlines()
    assert lines[0] == "naam;pseudoniem"
    assert len(lines) == 3 and lines[1].split(";")[1] == lines[2].split(";")[1]
    assert rejects.read_text().splitlines() == [
        "line,column,rule",
        "3,burgerservicenummer,eleven-test",
        "6,burgerservicenummer,field-count",
    ]


def test_missing_column_is_a_usage_error(keyfile: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    done = run("pseudonymise", "--key", keyfile, "--column", "sofi", SAMPLE, out)
    assert done.returncode == 2
    assert "'sofi': not a column" in done.stderr
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [keyfile]


def test_failures_exit_1_and_leave_no_partial_output(keyfile: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    bad = tmp_path / "latin1.csv"
    bad.write_bytes(b"bsn,naam\n111222333,Jos\xe9\n" * 10_000)
    done = run("pseudonymise", "--key", keyfile, bad, out)
    assert done.returncode == 1
    assert "not UTF-8" in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keys.json", "latin1.csv"]
    assert run("pseudonymise", "--key", tmp_path / "absent.json", SAMPLE, out).returncode == 1
    assert run("pseudonymise", "--key", keyfile, tmp_path / "absent.csv", out).returncode == 1
    keyfile.chmod(0o644)
    denied = run("pseudonymise", "--key", keyfile, SAMPLE, out)
    assert denied.returncode == 1 and "chmod 600" in denied.stderr
    missing_env = run("pseudonymise", "--key-env", "VI_NOT_SET_ANYWHERE", SAMPLE, out)
    assert missing_env.returncode == 1 and "not set" in missing_env.stderr


def test_large_file_streams_with_a_progress_bar(keyfile: Path, tmp_path: Path) -> None:
    rng = random.Random(11)
    source = tmp_path / "big.csv"
    with source.open("w") as handle:
        handle.write("id,bsn\n")
        for n in range(60_000):
            handle.write(f"{n},{random_bsn(rng).digits}\n")
    out = tmp_path / "out.csv"
    done = run("pseudonymise", "--key", keyfile, "--progress", source, out)
    assert done.returncode == 0, done.stderr
    assert "100%" in done.stderr and "60,000 rows" in done.stderr
    assert len(out.read_text().splitlines()) == 60_001
    quiet = run("pseudonymise", "--key", keyfile, "--no-progress", source, out)
    assert "%" not in quiet.stderr
