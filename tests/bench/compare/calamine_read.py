#!/usr/bin/env python3
"""python-calamine competitor, raw read only: each timed run opens the workbook from memory and
converts every sheet to Python rows; no sums. The budget sums are computed once afterwards,
untimed, from the last run's rows, to cross-check the other tools.

    calamine_read.py FILE [--runs N] [--warmup W]
"""

from importlib.metadata import version
from io import BytesIO

from python_calamine import CalamineWorkbook

from budget_sums import NoBudget, budget_sheet_name, budget_sums
from harness import emit, fail, parse_args, read_bytes, time_runs


def read_all(data):
    """{sheet name: rows} of every sheet, rows counted from A1 (skip_empty_area=False)."""
    with CalamineWorkbook.from_filelike(BytesIO(data)) as workbook:
        return {
            name: workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
            for name in workbook.sheet_names
        }


def main():
    args = parse_args(__doc__)
    data = read_bytes(args.file)
    try:
        times, sheets = time_runs(lambda: read_all(data), args.runs, args.warmup)
        sums = budget_sums(sheets[budget_sheet_name(sheets)])
    except NoBudget as e:
        fail(f"{args.file}: {e}")
    except Exception as e:  # CalamineError, ZipError, XmlError, ...
        fail(f"{args.file}: cannot be read by python-calamine: {type(e).__name__}: {e}")
    emit("python-calamine", version("python-calamine"), times, sums)


if __name__ == "__main__":
    main()
