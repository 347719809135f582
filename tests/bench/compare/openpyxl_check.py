#!/usr/bin/env python3
"""openpyxl competitor: each timed run opens the workbook from memory (read-only, cached values)
and computes the budget sums from its Budget sheet.

    openpyxl_check.py FILE [--runs N] [--warmup W]
"""

from io import BytesIO

import openpyxl

from budget_sums import NoBudget, budget_sheet_name, budget_sums
from harness import emit, fail, parse_args, read_bytes, time_runs


def check(data):
    workbook = openpyxl.load_workbook(BytesIO(data), read_only=True, data_only=True)
    try:
        sheet = workbook[budget_sheet_name(workbook.sheetnames)]
        return budget_sums(list(sheet.iter_rows(values_only=True)))
    finally:
        workbook.close()


def main():
    args = parse_args(__doc__)
    data = read_bytes(args.file)
    try:
        times, sums = time_runs(lambda: check(data), args.runs, args.warmup)
    except NoBudget as e:
        fail(f"{args.file}: {e}")
    except Exception as e:  # openpyxl raises many kinds for a file that is not a workbook
        fail(f"{args.file}: cannot be read by openpyxl: {type(e).__name__}: {e}")
    emit("openpyxl", openpyxl.__version__, times, sums)


if __name__ == "__main__":
    main()
