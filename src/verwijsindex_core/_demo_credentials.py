"""The demo's server credentials: its organisations, one operator and one municipality.

``verwijsindex demo`` calls :func:`provision_demo_credentials` so that ``verwijsindex serve``
on the demo database works at once: every demo organisation is provisioned with a token, and
the tokens are written to ``<db name>.tokens.json`` (mode 0600) beside the database. That file
exists for the demo only: real tokens are issued one at a time with ``verwijsindex
credentials issue`` and handed to their holder, never collected in a file.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Final

from verwijsindex_core._credentials import Credentials
from verwijsindex_core._files import atomic_write
from verwijsindex_core.matching import Organisation
from verwijsindex_core.store import Store

__all__ = ["DEMO_MUNICIPALITY", "DEMO_OPERATOR", "provision_demo_credentials", "tokens_path"]

DEMO_OPERATOR: Final = "brp-feed"
"""The demo operator's organisation id (a population-register feed)."""
DEMO_MUNICIPALITY: Final = "gemeente-den-haag"
"""The demo municipality's organisation id (handles inzage requests)."""
_NOTE: Final = (
    "DEMO ONLY: tokens of the synthetic verwijsindex demo, for 'verwijsindex serve' on its "
    "database. Never use this file, or a file like it, for real data."
)


def tokens_path(db: Path) -> Path:
    """Where the demo's tokens go: ``<db name>.tokens.json`` beside the database."""
    return db.with_name(db.stem + ".tokens.json")


def provision_demo_credentials(
    store: Store, organisations: Iterable[Organisation], db: Path
) -> Path:
    """Provision the organisations, issue one token each plus one ``operator`` and one
    ``municipality`` token, and write them (organisation id -> token, and the keys
    ``"operator"`` and ``"municipality"``) to :func:`tokens_path` with mode 0600, replacing an
    older file. Returns the file's path."""
    credentials = Credentials(store)
    tokens: dict[str, str] = {"_demo_only": _NOTE}
    for organisation in organisations:
        credentials.add_organisation(organisation)
        tokens[organisation.id] = credentials.issue(organisation.id).token
    tokens["operator"] = credentials.issue(DEMO_OPERATOR, "operator").token
    tokens["municipality"] = credentials.issue(DEMO_MUNICIPALITY, "municipality").token
    path = tokens_path(db)
    with atomic_write(path, mode=0o600, overwrite=True) as out:
        out.write((json.dumps(tokens, indent=2) + "\n").encode("utf-8"))
    path.chmod(0o600)
    return path
