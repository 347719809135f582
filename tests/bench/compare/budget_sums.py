"""The budget sums, computed from a sheet's rows: the rules the competitors share.

A mirror, kept small, of the Rust reader's rules (shared/rules/src/layout.rs, bud.rs, money.rs),
so that every tool in the benchmark does the same work and can be checked against the others.
`sheetjs_check.js` has the same functions in the same order.

A row is a list of cell values: None or '' when empty, str, int/float, or anything else (a
date, a bool, an error) that is neither text nor a number.
"""

import math
import re

BUDGET_SHEET = "budget"
HEADER_ROWS = 20
AMOUNT_HEADERS = {"belopp (kr)", "amount (sek)", "belopp", "amount", "kostnad (kr)", "cost (sek)"}
ITEM_HEADERS = {"kostnadspost", "item", "post", "cost item"}
CATEGORY_HEADERS = {"kategori", "category"}
FUNDER_HEADERS = {"finansiär", "funder", "finansieras av", "funded by"}
TOTALS = {"summa", "totalt", "total"}
BASE_FUNDERS = {
    "reglab basfinansiering",
    "reglab base funding",
    "reglab",
    "reglabs basfinansiering",
    "basfinansiering",
}

_SPACES = re.compile(r"[\s\u00a0\u202f]+")
_CURRENCY = re.compile(r"(kr|sek)$", re.IGNORECASE)
_DECIMAL = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)")


class NoBudget(Exception):
    pass


def normalise(value):
    """Lowercase, colons removed, white space trimmed and collapsed; '' for a non-text cell."""
    if not isinstance(value, str):
        return ""
    return " ".join(value.lower().replace(":", "").split())


def is_blank(value):
    return value is None or (isinstance(value, str) and value.strip() == "")


def is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def budget_sheet_name(names):
    """The name of the sheet whose name is Budget, or NoBudget."""
    for name in names:
        if normalise(name) == BUDGET_SHEET:
            return name
    raise NoBudget("no Budget sheet")


def find_column(header, names):
    """Index of the first header cell that is one of `names`, or None."""
    for i, value in enumerate(header):
        if normalise(value) in names:
            return i
    return None


def find_header(rows):
    """(row index, {item, category, amount, funder: column index or None}), or NoBudget."""
    for r, row in enumerate(rows[:HEADER_ROWS]):
        amount = find_column(row, AMOUNT_HEADERS)
        if amount is not None:
            return r, {
                "item": find_column(row, ITEM_HEADERS),
                "category": find_column(row, CATEGORY_HEADERS),
                "amount": amount,
                "funder": find_column(row, FUNDER_HEADERS),
            }
    raise NoBudget("no header row with an amount column in the Budget sheet's first 20 rows")


def cell(row, column):
    return row[column] if column is not None and column < len(row) else None


def is_totals_row(row):
    for value in row:
        if not is_blank(value):
            return normalise(value) in TOTALS
    return False


def round_ore(kronor):
    """Kronor to öre, half away from zero (Rust's f64::round); None if not finite."""
    if not math.isfinite(kronor):
        return None
    ore = math.floor(abs(kronor) * 100 + 0.5)
    return -ore if kronor < 0 else ore


def amount_ore(value):
    """An amount cell in öre, or None when it cannot be read."""
    if is_number(value):
        return round_ore(float(value))
    if not isinstance(value, str):
        return None
    text = _CURRENCY.sub("", _SPACES.sub("", value))
    if text.count(",") == 1:
        text = text.replace(",", ".")
    if not _DECIMAL.fullmatch(text):
        return None
    return round_ore(float(text))


def budget_sums(rows):
    """{lines, total_ore, base_ore} of a Budget sheet's rows."""
    header_at, columns = find_header(rows)
    lines = total = base = 0
    for row in rows[header_at + 1 :]:
        if is_totals_row(row):
            continue
        fields = {name: cell(row, column) for name, column in columns.items()}
        if all(is_blank(value) for value in fields.values()):
            continue
        lines += 1
        ore = amount_ore(fields["amount"])
        if ore is not None and ore > 0:
            total += ore
            if normalise(fields["funder"]) in BASE_FUNDERS:
                base += ore
    return {"lines": lines, "total_ore": total, "base_ore": base}
