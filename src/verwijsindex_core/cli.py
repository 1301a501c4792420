"""The ``verwijsindex`` command line.

Exit codes: 0 success; 1 the job failed (bad key file, unreadable input, ...); 2 usage error
(unknown option, missing argument, a column the input does not have). A run that rejected
rows still exits 0: the rejects file and the summary on stderr say how many and why.

Layout: each command is two small functions, ``_add_<name>(commands)``, which declares its
sub-parser with :func:`_command` (name, handler, help, description) and its options, and
``_cmd_<name>(args) -> int``, which runs it and returns the exit code. :data:`_COMMANDS` lists
the ``_add_`` functions in the order ``--help`` shows them, and :func:`_build_parser` only
calls them. To add a command (``serve``, ``organisations add``, ``credentials issue``...):

1. write ``_cmd_<name>`` next to the other handlers; raise :class:`_UsageError` for a usage
   problem found after parsing (exit 2); a :class:`~verwijsindex_core.errors.VerwijsindexError`
   or ``OSError`` becomes exit 1 in :func:`main`, so a handler needs no exit-code handling;
2. write ``_add_<name>`` next to the others (shared option groups such as
   :func:`_add_progress_options` are helpers of their own); a command with sub-commands of its
   own (``organisations add``) calls ``add_subparsers`` on its parser and gives each of them a
   handler with :func:`_command`;
3. append ``_add_<name>`` to :data:`_COMMANDS`, and document the command in ``docs/cli.md``.

Files the commands write go through :func:`_atomic_text` (temporary file, fsync, rename).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import TextIO, TypeAlias

from verwijsindex_core import __version__
from verwijsindex_core._credentials import ROLES, Credentials
from verwijsindex_core._csvjob import BatchPseudonymise, keyed_batches, pseudonymise_csv
from verwijsindex_core._demo import run_demo
from verwijsindex_core._facade import Verwijsindex
from verwijsindex_core._files import atomic_write
from verwijsindex_core._progress import Progress
from verwijsindex_core.errors import ValidationError, VerwijsindexError
from verwijsindex_core.inzage import (
    ReportSignatureError,
    ReportSigner,
    render_html,
    render_text,
    verify_report,
)
from verwijsindex_core.matching import Actor, Domain, Organisation
from verwijsindex_core.pseudonym import DEFAULT_PURPOSE, KEY_ENV_VAR, Bsn, KeyRing, Pseudonymiser
from verwijsindex_core.pseudonym._b64 import b64u_decode, b64u_encode
from verwijsindex_core.pseudonym.oprf import BlindPseudonymiser, PseudonymService
from verwijsindex_core.store import (
    companion_base,
    db_argument,
    is_database_url,
    open_store,
)

__all__ = ["main"]

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2


class _UsageError(Exception):
    """A usage problem found after argument parsing (reported with exit code 2)."""


_Handler: TypeAlias = Callable[[argparse.Namespace], int]
"""Runs one command with its parsed arguments and returns the exit code."""

_Subcommands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"
"""What ``add_subparsers`` returns; each ``_add_<name>`` adds its command to it."""


def _command(
    commands: _Subcommands,
    name: str,
    handler: _Handler,
    *,
    help: str,
    description: str,
) -> argparse.ArgumentParser:
    """Add the sub-command ``name``, run by ``handler``, and return its parser."""
    parser = commands.add_parser(name, help=help, description=description)
    parser.set_defaults(handler=handler)
    return parser


def _add_progress_options(parser: argparse.ArgumentParser, *, explained: bool) -> None:
    """``--progress`` / ``--no-progress`` (default ``None``: only when stderr is a terminal)."""
    bar = parser.add_mutually_exclusive_group()
    bar.add_argument(
        "--progress",
        dest="progress",
        action="store_true",
        default=None,
        help="always show a progress bar on stderr (default: only on a terminal)"
        if explained
        else None,
    )
    bar.add_argument(
        "--no-progress",
        dest="progress",
        action="store_false",
        help="never show it" if explained else None,
    )


def _add_keygen(commands: _Subcommands) -> None:
    keygen = _command(
        commands,
        "keygen",
        _cmd_keygen,
        help="create a key ring file with one new 256-bit key",
        description=(
            "Create a key ring file with one new random 256-bit pseudonymisation key. The "
            "file is written with mode 0600 and an existing file is never overwritten: "
            "losing a key makes every pseudonym made with it unmatchable."
        ),
    )
    keygen.add_argument("--out", required=True, type=Path, metavar="FILE", help="file to create")


def _add_demo(commands: _Subcommands) -> None:
    demo = _command(
        commands,
        "demo",
        _cmd_demo,
        help="build a synthetic region (SQLite or PostgreSQL) and simulate a year of signals",
        description=(
            "Create (or reopen) a verwijsindex (a SQLite file, or a postgresql:// database) with "
            "a synthetic region: municipalities, "
            "organisations in all seven domains, professionals and young people in families, "
            "then simulate a year of signals, ends, moves and the daily sweep. Prints a "
            "summary and writes SAMPLE-SUBJECTS.txt (synthetic BSNs worth an inzage) next to "
            "the database. Deterministic for a seed."
        ),
    )
    demo.add_argument(
        "--db",
        type=db_argument,
        default=Path("verwijsindex-demo.db"),
        metavar="FILE|URL",
        help="SQLite file or postgresql:// URL (default: ./verwijsindex-demo.db)",
    )
    demo.add_argument("--seed", type=int, default=2026, help="random seed (default: 2026)")
    demo.add_argument("--subjects", type=int, default=10_000, help="young people (default: 10000)")
    demo.add_argument("--days", type=int, default=365, help="days to simulate (default: 365)")
    demo.add_argument(
        "--fresh", action="store_true", help="delete an existing demo database and rebuild"
    )
    _add_progress_options(demo, explained=False)


def _add_inzage(commands: _Subcommands) -> None:
    inzage = _command(
        commands,
        "inzage",
        _cmd_inzage,
        help="write the inzage report of one subject (JSON, HTML or text; Dutch or English)",
        description=(
            "Write everything the index holds about one subject, for its rights holders. The "
            "BSN is read from a file or from standard input (never from the command line). "
            "The report is signed with the index's report-signing key, created next to the "
            "database on first use."
        ),
    )
    inzage.add_argument(
        "--db",
        type=db_argument,
        required=True,
        metavar="FILE|URL",
        help="SQLite file or postgresql:// URL",
    )
    inzage.add_argument(
        "--bsn-file",
        type=Path,
        required=True,
        metavar="FILE",
        help="file holding the BSN, or - for standard input",
    )
    inzage.add_argument(
        "--date-of-birth", required=True, metavar="YYYY-MM-DD", help="the subject's date of birth"
    )
    inzage.add_argument(
        "--as",
        dest="requesters",
        action="append",
        choices=["youth", "parent"],
        required=True,
        help="who asks; repeat for two (12-15: --as youth --as parent)",
    )
    inzage.add_argument(
        "--handled-by",
        default="verwijsindex",
        metavar="ORGANISATION",
        help="the organisation that handles the request, recorded in the audit log "
        "(default: verwijsindex, the index's operator)",
    )
    _add_inzage_output_options(inzage)


def _add_inzage_output_options(inzage: argparse.ArgumentParser) -> None:
    """The report's format, language and file, and the keys ``inzage`` reads or creates."""
    inzage.add_argument("--format", choices=["html", "json", "text"], default="html")
    inzage.add_argument("--lang", choices=["nl", "en"], default="nl")
    inzage.add_argument("--out", type=Path, required=True, metavar="FILE", help="report file")
    inzage.add_argument(
        "--keys",
        type=Path,
        metavar="FILE",
        help="pseudonymisation key ring (default: <db name>.keys.json next to the database)",
    )
    inzage.add_argument(
        "--signing-key",
        type=Path,
        metavar="FILE",
        help="report-signing key (default: <db name>.report-signing.key, created if missing)",
    )


def _add_verify_report(commands: _Subcommands) -> None:
    verify = _command(
        commands,
        "verify-report",
        _cmd_verify_report,
        help="check the signature of a JSON inzage report",
        description="Exit 0 when the report's Ed25519 signature is valid, 1 when not.",
    )
    verify.add_argument("report", type=Path, metavar="FILE", help="signed JSON report")
    verify.add_argument(
        "--fingerprint", metavar="FP", help="also require this signing-key fingerprint"
    )


def _add_oprf_keygen(commands: _Subcommands) -> None:
    oprf_keygen = _command(
        commands,
        "oprf-keygen",
        _cmd_oprf_keygen,
        help="create the OPRF key of a pseudonymisation service (blind pseudonyms)",
        description=(
            "Create a new VOPRF key (RFC 9497, ristretto255-SHA512) for a pseudonymisation "
            "service. The secret key goes to FILE (mode 0600, never overwritten); the public "
            "key and its id are printed: publish them to the vendors, who need them for "
            "'pseudonymise --oprf-public-key'."
        ),
    )
    oprf_keygen.add_argument(
        "--out", required=True, type=Path, metavar="FILE", help="secret key file to create"
    )


def _add_pseudonymise(commands: _Subcommands) -> None:
    pseud = _command(
        commands,
        "pseudonymise",
        _cmd_pseudonymise,
        help="replace the BSN column of a CSV file with keyed pseudonyms",
        description=(
            "Stream IN.csv to OUT.csv, replacing the BSN column by its pseudonym "
            "(vi1.<key-id>.<digest>). Rows with an invalid BSN go to a rejects file as "
            "line,column,rule; the BSN itself is never written there."
        ),
    )
    _add_key_source_options(pseud)
    _add_csv_options(pseud)
    _add_progress_options(pseud, explained=True)
    pseud.add_argument("input", type=Path, metavar="IN.csv", help="input CSV with a header row")
    pseud.add_argument("output", type=Path, metavar="OUT.csv", help="output CSV to write")


def _add_key_source_options(pseud: argparse.ArgumentParser) -> None:
    """Where ``pseudonymise`` gets its key: one of --key, --key-env, --oprf-public-key."""
    source = pseud.add_mutually_exclusive_group(required=True)
    source.add_argument("--key", type=Path, metavar="FILE", help="key ring file (from keygen)")
    source.add_argument(
        "--key-env",
        metavar="VAR",
        nargs="?",
        const=KEY_ENV_VAR,
        help=f"read base64url keys from environment variable VAR (default {KEY_ENV_VAR})",
    )
    source.add_argument(
        "--oprf-public-key",
        metavar="KEY",
        help=(
            "blind pseudonyms: the service's public key (base64url, from oprf-keygen); every "
            "answer is verified against it. Needs --oprf-url and --token-env"
        ),
    )
    pseud.add_argument(
        "--oprf-url",
        metavar="URL",
        help="the pseudonymisation service (verwijsindex serve --oprf-key), e.g. "
        "https://pseudonymise.example; only blinded BSNs are sent",
    )
    pseud.add_argument(
        "--token-env",
        metavar="VAR",
        help="environment variable holding the bearer token for --oprf-url",
    )
    pseud.add_argument(
        "--oprf-batch",
        type=int,
        default=1000,
        metavar="N",
        help="blinded BSNs per request to --oprf-url (default: 1000, the server's default limit)",
    )
    pseud.add_argument(
        "--oprf-server-key",
        type=Path,
        metavar="FILE",
        help="for tests only: the service's secret key file, evaluated in this process "
        "instead of --oprf-url",
    )


def _add_csv_options(pseud: argparse.ArgumentParser) -> None:
    """The columns, purpose, delimiter and rejects file of ``pseudonymise``."""
    pseud.add_argument("--column", default="bsn", help="name of the BSN column (default: bsn)")
    pseud.add_argument(
        "--output-column",
        default="pseudonym",
        help="name of that column in the output (default: pseudonym)",
    )
    pseud.add_argument(
        "--purpose",
        default=DEFAULT_PURPOSE,
        help=f"sub-key purpose; different purposes are unlinkable (default: {DEFAULT_PURPOSE})",
    )
    pseud.add_argument("--delimiter", default=",", help="field delimiter (default: ',')")
    pseud.add_argument(
        "--rejects",
        type=Path,
        metavar="FILE",
        help="where to write rejected rows (default: OUT.csv.rejects.csv)",
    )


def _add_serve(commands: _Subcommands) -> None:
    serve = _command(
        commands,
        "serve",
        _cmd_serve,
        help="run the reference HTTP server (extra [server]) on SQLite or PostgreSQL",
        description=(
            "Serve the verwijsindex over HTTP under /v1 (docs/server.md). Settings come from "
            "these options, else from --config FILE (JSON), else from VERWIJSINDEX_SERVER_* "
            "variables. A keyed server needs --keys; a blind one (--mode blind) accepts only "
            "pseudonyms. Any host but a loopback address needs TLS (--tls-certfile and "
            "--tls-keyfile, or --tls-terminated-upstream behind a proxy). On a postgresql:// "
            "database give --signing-key too; every worker opens its own store."
        ),
    )
    serve.add_argument(
        "--db", type=db_argument, metavar="FILE|URL", help="SQLite file or postgresql:// URL"
    )
    serve.add_argument("--config", type=Path, metavar="FILE", help="settings as a JSON file")
    serve.add_argument("--mode", choices=["keyed", "blind"])
    serve.add_argument("--keys", type=Path, metavar="FILE", help="key ring file (keyed mode)")
    serve.add_argument("--keys-env", metavar="VAR", help="or: environment variable with keys")
    serve.add_argument(
        "--oprf-key", type=Path, metavar="FILE", help="OPRF service key: serve evaluateOprf"
    )
    serve.add_argument(
        "--oprf-public-key",
        dest="oprf_public_keys",
        action="append",
        metavar="KEY",
        help="blind mode: an OPRF public key whose pseudonyms are accepted (repeatable)",
    )
    serve.add_argument("--regions", type=Path, metavar="FILE", help="municipality,region CSV")
    serve.add_argument(
        "--signing-key",
        type=Path,
        metavar="FILE",
        help="inzage report-signing key, created if missing (default: <db name>.report-signing"
        ".key beside a SQLite file; required with a postgresql:// URL)",
    )
    serve.add_argument("--host", help="address to listen on (default: 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default: 8000; 0 picks a free one)")
    serve.add_argument("--workers", type=int, help="worker processes (default: 1)")
    serve.add_argument("--tls-certfile", type=Path, metavar="FILE")
    serve.add_argument("--tls-keyfile", type=Path, metavar="FILE")
    serve.add_argument(
        "--tls-terminated-upstream",
        action="store_const",
        const=True,
        help="a proxy in front terminates TLS",
    )
    serve.add_argument("--max-body-bytes", type=int, metavar="N")
    serve.add_argument("--access-log", type=Path, metavar="FILE", help="default: stderr")


_DB_HELP = "the server's database: SQLite file or postgresql:// URL"


def _add_organisations(commands: _Subcommands) -> None:
    organisations = commands.add_parser(
        "organisations", help="provision organisations of the server (organisations add)"
    )
    actions = organisations.add_subparsers(dest="action", required=True, metavar="ACTION")
    add = _command(
        actions,
        "add",
        _cmd_organisations_add,
        help="add (or update) an organisation",
        description="Provision an organisation, so that it can get credentials.",
    )
    add.add_argument("--db", type=db_argument, required=True, metavar="FILE|URL", help=_DB_HELP)
    add.add_argument("--id", required=True, help="the organisation's id")
    add.add_argument("--name", required=True)
    add.add_argument("--domain", required=True, choices=[d.value for d in Domain])
    add.add_argument("--municipality", required=True, metavar="GMxxxx")


def _add_credentials(commands: _Subcommands) -> None:
    credentials = commands.add_parser(
        "credentials", help="issue or revoke the server's bearer tokens"
    )
    actions = credentials.add_subparsers(dest="action", required=True, metavar="ACTION")
    issue = _command(
        actions,
        "issue",
        _cmd_credentials_issue,
        help="issue a token; prints it alone on stdout, once",
        description=(
            "Issue a bearer token. The token is printed alone on standard output, once; only "
            "a salted hash is stored. An organisation credential needs the organisation "
            "provisioned first (organisations add)."
        ),
    )
    issue.add_argument("--db", type=db_argument, required=True, metavar="FILE|URL", help=_DB_HELP)
    issue.add_argument("--organisation", required=True, metavar="ID")
    issue.add_argument("--role", choices=list(ROLES), default="organisation")
    revoke = _command(
        actions,
        "revoke",
        _cmd_credentials_revoke,
        help="revoke a token by its id",
        description="Revoke a credential: ID is the part after vit1_ (16 hex characters).",
    )
    revoke.add_argument("--db", type=db_argument, required=True, metavar="FILE|URL", help=_DB_HELP)
    revoke.add_argument("--id", required=True, metavar="ID", help="the credential id")


def _add_bench(commands: _Subcommands) -> None:
    bench = _command(
        commands,
        "bench",
        _cmd_bench,
        help="run every benchmark beside its baseline; tables and plots (extra [research])",
        description=(
            "Run the benchmark suite: the synthetic nation, batch matching against DuckDB SQL "
            "on the same data, pseudonymise, register (memory and SQLite), the policy and "
            "identifier experiments and the scripts in benchmarks/, each beside its baseline "
            "in the same run. Writes results.md, results.json and PNG plots (docs/research.md)."
        ),
    )
    bench.add_argument(
        "--quick", action="store_true", help="small sizes: about a minute (what CI runs)"
    )
    bench.add_argument(
        "--out",
        type=Path,
        default=Path("bench-results"),
        metavar="DIR",
        help="directory for the results (default: ./bench-results)",
    )
    _add_progress_options(bench, explained=True)


_COMMANDS: tuple[Callable[[_Subcommands], None], ...] = (
    _add_keygen,
    _add_demo,
    _add_bench,
    _add_inzage,
    _add_verify_report,
    _add_oprf_keygen,
    _add_pseudonymise,
    _add_serve,
    _add_organisations,
    _add_credentials,
)
"""The commands in the order ``verwijsindex --help`` lists them; a new one goes here too."""


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="verwijsindex",
        description="Tools for a Dutch verwijsindex (Jeugdwet 7.1): keys and BSN "
        "pseudonymisation (keyed or blind), a demo region on SQLite, signed inzage reports.",
        epilog="Run 'verwijsindex COMMAND --help' for the options of a command.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for add in _COMMANDS:
        add(commands)
    return parser


@contextlib.contextmanager
def _atomic_text(path: Path) -> Iterator[TextIO]:
    """Write UTF-8 text to ``path`` atomically (:func:`verwijsindex_core._files.atomic_write`:
    temporary file, fsync, rename, directory fsync); nothing appears at ``path`` on failure."""
    with atomic_write(path) as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
        try:
            yield text
            text.flush()
        finally:
            text.detach()  # atomic_write owns the file and closes it


def _cmd_keygen(args: argparse.Namespace) -> int:
    ring = KeyRing.generate()
    ring.save(args.out)
    print(f"wrote {args.out} (mode 0600) with active key id {ring.active.id}")
    print("keep it secret: whoever holds it can reverse every pseudonym made with it")
    return EXIT_OK


def _cmd_bench(args: argparse.Namespace) -> int:
    try:
        from verwijsindex_core.research import run_suite  # noqa: PLC0415 - extra [research]
    except ImportError as exc:
        raise ValidationError(
            "bench", "extra", "needs the research extra: pip install 'verwijsindex-core[research]'"
        ) from exc
    show = sys.stderr.isatty() if args.progress is None else args.progress
    run_suite(args.out, quick=args.quick, stream=sys.stderr, show_progress=show)
    print(f"wrote {args.out / 'results.md'}, results.json and plots")
    return EXIT_OK


def _cmd_demo(args: argparse.Namespace) -> int:
    if args.subjects < 10 or args.days < 1:
        raise _UsageError("--subjects must be at least 10 and --days at least 1")
    show = sys.stderr.isatty() if args.progress is None else args.progress
    run_demo(
        args.db,
        seed=args.seed,
        subjects=args.subjects,
        days=args.days,
        fresh=args.fresh,
        progress_stream=sys.stderr,
        show_progress=show,
    )
    return EXIT_OK


def _read_bsn(path: Path) -> Bsn:
    text = sys.stdin.read() if str(path) == "-" else path.read_text(encoding="utf-8")
    return Bsn(text.strip(), field="bsn-file")


def _cmd_inzage(args: argparse.Namespace) -> int:
    try:
        born = date.fromisoformat(args.date_of_birth)
    except ValueError:
        raise _UsageError("--date-of-birth must be YYYY-MM-DD") from None
    if not is_database_url(args.db) and not args.db.exists():
        raise VerwijsindexError("db", "exists", f"{args.db} does not exist")
    base = companion_base(args.db)  # the key ring and signing key are named after it
    keys = args.keys or base.with_name(base.stem + ".keys.json")
    signing_path = args.signing_key or base.with_name(base.stem + ".report-signing.key")
    if signing_path.exists():
        signer = ReportSigner.load(signing_path)
    else:
        signer = ReportSigner.generate()
        signer.save(signing_path)
        print(
            f"created report-signing key {signing_path} (fingerprint {signer.fingerprint})",
            file=sys.stderr,
        )
    bsn = _read_bsn(args.bsn_file)
    store = open_store(args.db)
    try:
        index = Verwijsindex(store, pseudonymiser=Pseudonymiser(KeyRing.load(keys)))
        report = index.inzage(
            bsn,
            date_of_birth=born,
            requesters=args.requesters,
            actor=Actor(organisation_id=args.handled_by),
        )
    finally:
        store.close()
    if args.format == "json":
        text = json.dumps(signer.sign(report), indent=2, ensure_ascii=False) + "\n"
    elif args.format == "html":
        text = render_html(report, args.lang, signer.fingerprint)
    else:
        text = render_text(report, args.lang, signer.fingerprint)
    with _atomic_text(args.out) as out:
        out.write(text)
    print(
        f"wrote {args.out} ({args.format}, {args.lang}): {len(report.signals)} signals, "
        f"{len(report.matches)} matches, {len(report.accesses)} accesses for BSN {report.subject}",
        file=sys.stderr,
    )
    return EXIT_OK


def _cmd_verify_report(args: argparse.Namespace) -> int:
    try:
        raw = args.report.read_bytes()
        report = verify_report(raw)  # the bytes as received: duplicate names are refused too
        found = json.loads(raw)["signature"]["fingerprint"]
    except (ReportSignatureError, ValueError, KeyError, TypeError) as exc:
        print(f"verwijsindex verify-report: INVALID: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    if args.fingerprint and args.fingerprint != found:
        print(
            f"verwijsindex verify-report: INVALID: signed by {found}, not {args.fingerprint}",
            file=sys.stderr,
        )
        return EXIT_FAILURE
    generated = report.generated_at.isoformat()
    print(f"valid: signed by {found}, generated {generated} for BSN {report.subject}")
    return EXIT_OK


def _cmd_oprf_keygen(args: argparse.Namespace) -> int:
    service = PseudonymService.generate()
    service.save(args.out)
    print(f"wrote {args.out} (mode 0600): the secret key of OPRF key id {service.key_id}")
    print(f"public key: {b64u_encode(service.public_key)}")
    print("keep the file on the pseudonymisation service only; give vendors the public key")
    print("(pass it as --oprf-public-key=KEY: a key may start with '-')")
    return EXIT_OK


def _batch_function(args: argparse.Namespace) -> BatchPseudonymise:
    """The pseudonymisation the arguments ask for: keyed HMAC, or blind (OPRF)."""
    if args.oprf_public_key is None:
        if args.oprf_server_key is not None or args.oprf_url is not None:
            raise _UsageError("--oprf-url and --oprf-server-key go with --oprf-public-key")
        ring = KeyRing.load(args.key) if args.key else KeyRing.from_env(args.key_env)
        return keyed_batches(Pseudonymiser(ring, purpose=args.purpose))
    public_key = b64u_decode(args.oprf_public_key)
    if public_key is None:
        raise _UsageError("--oprf-public-key must be base64url (as oprf-keygen prints it)")
    if (args.oprf_url is None) == (args.oprf_server_key is None):
        raise _UsageError("--oprf-public-key needs --oprf-url (or, in tests, --oprf-server-key)")
    if args.purpose != DEFAULT_PURPOSE:
        raise _UsageError("--purpose applies to keyed pseudonyms; a blind service has one key")
    vendor = BlindPseudonymiser(public_key)
    if args.oprf_url is not None:
        return _http_blind_batches(args, vendor)
    service = PseudonymService.load(args.oprf_server_key)

    def run(bsns: list[Bsn]) -> list[str]:
        return [p.text for p in vendor.pseudonymise_many(bsns, service.blind_evaluate)]

    return run


def _http_blind_batches(args: argparse.Namespace, vendor: BlindPseudonymiser) -> BatchPseudonymise:
    """Blind pseudonyms from the HTTP service: batches of --oprf-batch, each proof checked."""
    if args.token_env is None or not os.environ.get(args.token_env):
        raise _UsageError("--oprf-url needs --token-env VAR, a variable holding the token")
    if not 1 <= args.oprf_batch <= 65_535:
        raise _UsageError("--oprf-batch must be 1 to 65535")
    from verwijsindex_core.client import Client  # noqa: PLC0415 - extra [server]

    url, token, size = args.oprf_url, os.environ[args.token_env], args.oprf_batch

    def run(bsns: list[Bsn]) -> list[str]:
        with Client(url, token) as client:
            return [
                p.text
                for start in range(0, len(bsns), size)
                for p in vendor.pseudonymise_many(bsns[start : start + size], client.evaluate_oprf)
            ]

    return run


def _cmd_pseudonymise(args: argparse.Namespace) -> int:
    if len(args.delimiter) != 1:
        raise _UsageError("--delimiter must be a single character")
    if args.input.resolve() == args.output.resolve():
        raise _UsageError("IN.csv and OUT.csv must be different files")
    pseudonymise = _batch_function(args)
    rejects_path: Path = args.rejects or args.output.with_name(args.output.name + ".rejects.csv")
    show = sys.stderr.isatty() if args.progress is None else args.progress
    try:
        raw = args.input.open("rb")
    except OSError as exc:
        raise VerwijsindexError(
            "input", "read", f"{args.input} cannot be read ({exc.strerror})"
        ) from None
    with raw:
        total = os.fstat(raw.fileno()).st_size
        progress = Progress("pseudonymise", total or None, sys.stderr, enabled=show)
        source = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
        try:
            with _atomic_text(args.output) as sink, _atomic_text(rejects_path) as rejects:
                report = pseudonymise_csv(
                    source,
                    sink,
                    rejects,
                    pseudonymise,
                    column=args.column,
                    output_column=args.output_column,
                    delimiter=args.delimiter,
                    on_progress=lambda rows: progress.update(rows, raw.tell()),
                )
        except ValidationError as exc:
            if exc.field == "column":
                raise _UsageError(
                    f"--column {args.column!r}: not a column of {args.input}"
                ) from None
            raise
        except UnicodeDecodeError:
            raise VerwijsindexError("input", "utf-8", f"{args.input} is not UTF-8 text") from None
        progress.finish(report.rows, total)
    print(
        f"{report.rows:,} rows: {report.written:,} pseudonymised into {args.output}, "
        f"{report.rejected:,} rejected into {rejects_path}",
        file=sys.stderr,
    )
    for rule, count in report.rejected_by_rule.items():
        print(f"  rejected {count:,} x {rule}", file=sys.stderr)
    return EXIT_OK


_SERVE_OPTIONS = (
    "db", "mode", "keys", "keys_env", "oprf_key", "oprf_public_keys", "regions", "signing_key",
    "host", "port", "workers", "tls_certfile", "tls_keyfile", "tls_terminated_upstream",
    "max_body_bytes", "access_log",
)  # fmt: skip


def _cmd_serve(args: argparse.Namespace) -> int:
    try:
        from verwijsindex_core.server import ServerSettings, run  # noqa: PLC0415 - extra
    except ImportError as exc:
        raise VerwijsindexError("server", "extra", str(exc)) from None
    given = {k: getattr(args, k) for k in _SERVE_OPTIONS if getattr(args, k) is not None}
    if args.config is not None:
        settings = ServerSettings.load(args.config, **given)
    else:
        settings = ServerSettings.from_env(**given)
    run(settings)
    return EXIT_OK


def _cmd_organisations_add(args: argparse.Namespace) -> int:
    organisation = Organisation(
        id=args.id, name=args.name, domain=args.domain, municipality=args.municipality
    )
    with open_store(args.db) as store:
        Credentials(store).add_organisation(organisation)
    where = "" if is_database_url(args.db) else f" in {args.db}"  # a URL may hold a password
    print(f"provisioned organisation {organisation.id}{where}", file=sys.stderr)
    return EXIT_OK


def _cmd_credentials_issue(args: argparse.Namespace) -> int:
    with open_store(args.db) as store:
        issued = Credentials(store).issue(args.organisation, args.role)
    print(issued.token, flush=True)
    print(
        f"issued credential {issued.credential_id} ({issued.role}) for "
        f"{issued.organisation_id}; the token above is shown only now",
        file=sys.stderr,
    )
    return EXIT_OK


def _cmd_credentials_revoke(args: argparse.Namespace) -> int:
    with open_store(args.db) as store:
        if not Credentials(store).revoke(args.id):
            raise VerwijsindexError("id", "unknown", "no credential with that id")
    print(f"revoked credential {args.id}", file=sys.stderr)
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (the console script exits with it)."""
    parser = _build_parser()
    args = parser.parse_args(argv)
    handler: _Handler = args.handler  # set by _command for every sub-command
    try:
        return handler(args)
    except _UsageError as exc:
        parser.print_usage(sys.stderr)
        print(f"verwijsindex {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except (VerwijsindexError, OSError) as exc:
        print(f"verwijsindex {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        print(f"verwijsindex {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
