"""What a run writes: the workbook (one module per sheet kind), CSV/Parquet/JSON, the HTML report, split lists and
platform re-import files, each staged beside its target and put in place together."""
