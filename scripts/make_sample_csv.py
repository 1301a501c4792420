"""Regenerate examples/sample-clients.csv: synthetic BSNs (11-test valid, seeded) plus a few
deliberately invalid rows that show the rejects file. Never real numbers.

    python scripts/make_sample_csv.py > examples/sample-clients.csv
"""

from __future__ import annotations

import csv
import random
import sys

from verwijsindex_core.pseudonym import random_bsn

MUNICIPALITIES = [
    "Den Haag",
    "Delft",
    "Zoetermeer",
    "Westland",
    "Rijswijk",
    "Leidschendam-Voorburg",
]


def main() -> None:
    rng = random.Random(20261201)
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(["client_ref", "bsn", "municipality"])
    rows = [
        [f"C{n:05d}", random_bsn(rng).digits, rng.choice(MUNICIPALITIES)] for n in range(1, 201)
    ]
    # Formatting a vendor system may produce; all still valid:
    rows[3][1] = f"{rows[3][1][:4]}.{rows[3][1][4:6]}.{rows[3][1][6:]}"
    rows[4][1] = f"{rows[4][1][:3]} {rows[4][1][3:6]} {rows[4][1][6:]}"
    eight = random_bsn(rng).digits
    while not eight.startswith("0"):
        eight = random_bsn(rng).digits
    rows[5][1] = eight[1:]  # leading zero dropped by a spreadsheet
    # Invalid on purpose, one per rule:
    bad = rows[10][1]
    rows[10][1] = bad[:8] + str((int(bad[8]) + 1) % 10)  # eleven-test
    rows[20][1] = "12345678A"  # characters
    rows[30][1] = "1234567"  # length
    rows[40][1] = ""  # empty
    rows[50][1] = "000000000"  # all-zeros
    writer.writerows(rows)


if __name__ == "__main__":
    main()
