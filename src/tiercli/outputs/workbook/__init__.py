"""The Excel workbook: `book` writes it from its registry of sheets (`WORKBOOK_SHEETS`), one module per sheet."""
