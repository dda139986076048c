"""Helpers for files people download and open in spreadsheets."""

# A cell starting with one of these is run as a formula by Excel and LibreOffice.
CSV_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> str:
    """Text a spreadsheet will not run as a formula (CSV injection): much of what
    we export was typed by the public."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(CSV_FORMULA_STARTS) else text
