#!/usr/bin/env python3
"""Fill the DDaT return template by defined name, as a tool other than Excel would.

Usage: fill_template.py IN.xlsx OUT.xlsx key=value [key=value ...]

Every input cell of the template carries a workbook-scoped defined name equal to its field
key (headcount, ddat_family_data, ...). For each key=value this script finds that name,
writes the value into the one cell it refers to and saves the workbook as OUT.xlsx.
Whole numbers and decimals are written as numbers, everything else as text.

It needs openpyxl: on Debian, `apt-get install python3-openpyxl`, run with /usr/bin/python3.
"""

import math
import re
import sys

from openpyxl import load_workbook

WHOLE = re.compile(r"^[+-]?\d+$")
DECIMAL = re.compile(r"^[+-]?(\d+\.\d*|\.\d+|\d+)([eE][+-]?\d+)?$")


def typed(value):
    """The value as Excel should hold it: a number when it is one, else the text."""
    if WHOLE.match(value):
        return int(value)
    if DECIMAL.match(value):
        number = float(value)
        if math.isfinite(number):
            return number
    return value


def named_cell(workbook, key):
    """The (sheet, cell) a workbook-scoped defined name refers to, or exit with a message."""
    # openpyxl 3.0 keeps names in a list with get(name, scope); 3.1 in a dict. get(key)
    # without a scope finds the workbook-scoped name in both.
    name = workbook.defined_names.get(key)
    if name is None:
        sys.exit(f"fill_template: the workbook has no defined name {key!r}")
    destinations = list(name.destinations)
    if len(destinations) != 1:
        sys.exit(f"fill_template: the name {key!r} refers to {name.attr_text!r}, not one cell")
    sheet, ref = destinations[0]
    ref = ref.replace("$", "")
    if ":" in ref:
        start, end = ref.split(":", 1)
        if start != end:
            sys.exit(f"fill_template: the name {key!r} refers to the range {ref}, not one cell")
        ref = start
    return sheet, ref


def main(argv):
    if len(argv) < 3:
        sys.exit(__doc__.strip().splitlines()[2])
    source, target, pairs = argv[0], argv[1], argv[2:]
    workbook = load_workbook(source)
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            sys.exit(f"fill_template: {pair!r} is not key=value")
        sheet, ref = named_cell(workbook, key)
        workbook[sheet][ref].value = typed(value)
    workbook.save(target)


if __name__ == "__main__":
    main(sys.argv[1:])
