"""Streaming CSV pseudonymisation: the job behind ``verwijsindex pseudonymise``.

Reads rows in chunks, replaces the BSN column with the pseudonym's text form and writes every
row it cannot use to a rejects file as ``line,column,rule``: never the BSN itself.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Final, TextIO

from verwijsindex_core.errors import InvalidBsn, ValidationError
from verwijsindex_core.pseudonym import Bsn, Pseudonymiser
from verwijsindex_core.pseudonym._pseudonym import unchecked_text

__all__ = ["BatchPseudonymise", "CsvJobReport", "keyed_batches", "pseudonymise_csv"]

REJECT_HEADER: Final = ("line", "column", "rule")
FIELD_COUNT_RULE: Final = "field-count"


BatchPseudonymise = Callable[[list[Bsn]], list[str]]
"""Turns a batch of parsed BSNs into the text forms of their pseudonyms, in order."""


def keyed_batches(pseudonymiser: Pseudonymiser) -> BatchPseudonymise:
    """The batch function for keyed (HMAC) pseudonyms under the active key."""

    def run(bsns: list[Bsn]) -> list[str]:
        # The digests were just computed under a checked key id: the unchecked text form.
        key_id = pseudonymiser.active_key_id
        return [unchecked_text(key_id, d) for d in pseudonymiser.digests_many(bsns)]

    return run


@dataclass(frozen=True)
class CsvJobReport:
    """Counts of one run: data rows read, written and rejected (by rule)."""

    rows: int
    written: int
    rejected: int
    rejected_by_rule: dict[str, int] = field(default_factory=dict)


def _rows_with_lines(
    reader: Iterator[list[str]], line_num: Callable[[], int]
) -> Iterator[tuple[int, list[str]]]:
    """Yield each row with the line number it starts on (quoted fields may span lines)."""
    start = line_num() + 1
    for row in reader:
        yield start, row
        start = line_num() + 1


def pseudonymise_csv(
    source: TextIO,
    sink: TextIO,
    rejects: TextIO,
    pseudonymise: BatchPseudonymise,
    *,
    column: str = "bsn",
    output_column: str = "pseudonym",
    delimiter: str = ",",
    chunk_size: int = 4096,
    on_progress: Callable[[int], None] | None = None,
) -> CsvJobReport:
    """Copy ``source`` to ``sink`` with ``column`` replaced by its pseudonym.

    ``pseudonymise`` is called once per chunk of valid BSNs (:func:`keyed_batches` for keyed
    pseudonyms; the CLI builds one for blind pseudonyms).

    The first row is the header and must name ``column``; in the output that column is
    renamed ``output_column``. Rows whose BSN is invalid, or whose number of fields differs
    from the header's, go to ``rejects`` as ``line,column,rule``. ``on_progress`` is called
    with the number of rows done after each chunk. Raises :class:`ValidationError` (field
    ``column``) when the header lacks the column.
    """
    reader = csv.reader(source, delimiter=delimiter)
    writer = csv.writer(sink, delimiter=delimiter, lineterminator="\n")
    reject_writer = csv.writer(rejects, lineterminator="\n")
    header = next(reader, None)
    if header is None:
        raise ValidationError("input", "header", "is empty: the first row must be a header")
    if column not in header:
        raise ValidationError("column", "missing-column", "is not a column of the input header")
    index = header.index(column)
    width = len(header)
    out_header = list(header)
    out_header[index] = output_column
    writer.writerow(out_header)
    reject_writer.writerow(REJECT_HEADER)

    by_rule: Counter[str] = Counter()
    rows = written = 0
    pending_rows: list[list[str]] = []
    pending_bsns: list[Bsn] = []

    def flush() -> None:
        nonlocal written
        for row, text in zip(pending_rows, pseudonymise(pending_bsns), strict=True):
            row[index] = text
        writer.writerows(pending_rows)
        written += len(pending_rows)
        pending_rows.clear()
        pending_bsns.clear()
        if on_progress is not None:
            on_progress(rows)

    for line, row in _rows_with_lines(reader, lambda: reader.line_num):
        rows += 1
        if len(row) != width:
            rule = FIELD_COUNT_RULE
        else:
            try:
                pending_bsns.append(Bsn(row[index]))  # only the rule is written
            except InvalidBsn as exc:
                rule = exc.rule
            else:
                pending_rows.append(row)
                if len(pending_rows) >= chunk_size:
                    flush()
                continue
        by_rule[rule] += 1
        reject_writer.writerow((line, column, rule))
    flush()
    return CsvJobReport(rows, written, rows - written, dict(sorted(by_rule.items())))
