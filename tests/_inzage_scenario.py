"""The fixed inzage scenario of the golden-file tests: a small demo region, one sample subject.

python tests/_inzage_scenario.py --write    # regenerate tests/golden/ after a deliberate change

``tests/golden/report.signed-v1.json`` is not written here, ever: it is the report as 0.1
signed it (before signatures covered RFC 8785 bytes), kept to prove that a report signed then
keeps verifying (tests/test_inzage_jcs.py).
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, date, datetime
from pathlib import Path

from verwijsindex_core import Verwijsindex
from verwijsindex_core._demo import run_demo
from verwijsindex_core.inzage import InzageReport, ReportSigner, render_html, render_text
from verwijsindex_core.matching import Actor, FixedClock, Policy
from verwijsindex_core.pseudonym import Bsn, KeyRing, Pseudonymiser
from verwijsindex_core.store import SQLiteStore
from verwijsindex_core.synthetic import MUNICIPALITIES

GOLDEN = Path(__file__).resolve().parent / "golden"
AT = datetime(2026, 11, 30, 14, 0, tzinfo=UTC)
SIGNER = ReportSigner.from_seed(bytes(range(32)))  # a test key, published in this file


def build(workdir: Path) -> tuple[Verwijsindex, SQLiteStore, Bsn, date]:
    db = workdir / "scenario.db"
    run_demo(db, seed=15, subjects=3000, days=150, out=lambda _line: None)
    sample = (workdir / "SAMPLE-SUBJECTS.txt").read_text().splitlines()
    line = next(line for line in sample if line.endswith("direct match"))
    digits, born = line.split()[:2]
    store = SQLiteStore(db)
    regions = {code: region for code, (_, region) in MUNICIPALITIES.items()}
    index = Verwijsindex(
        store,
        pseudonymiser=Pseudonymiser(KeyRing.load(workdir / "scenario.keys.json")),
        clock=FixedClock(AT),
        policy=Policy(regions=regions),
    )
    return index, store, Bsn(digits), date.fromisoformat(born)


def request(index: Verwijsindex, bsn: Bsn, born: date) -> InzageReport:
    """The scenario's request: a parent asks for the report of the sample subject (under 12)."""
    office = Actor(organisation_id="gemeente-den-haag")
    return index.inzage(bsn, date_of_birth=born, requesters=["parent"], actor=office)


def renders(report: InzageReport) -> dict[str, str]:
    out = {"report.json": json.dumps(SIGNER.sign(report), indent=2, ensure_ascii=False) + "\n"}
    for lang in ("nl", "en"):
        out[f"report.{lang}.html"] = render_html(report, lang, SIGNER.fingerprint)  # type: ignore[arg-type]
        out[f"report.{lang}.txt"] = render_text(report, lang, SIGNER.fingerprint)  # type: ignore[arg-type]
    return out


def main() -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        index, store, bsn, born = build(Path(tmp))
        report = request(index, bsn, born)
        store.close()
    GOLDEN.mkdir(exist_ok=True)
    for name, text in renders(report).items():
        (GOLDEN / name).write_text(text, encoding="utf-8")
        print("wrote", GOLDEN / name)


if __name__ == "__main__" and "--write" in sys.argv:
    main()
