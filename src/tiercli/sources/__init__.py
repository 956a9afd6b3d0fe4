"""Where orders come from: order exports, members, previous runs and overrides, read into DuckDB or Arrow."""
