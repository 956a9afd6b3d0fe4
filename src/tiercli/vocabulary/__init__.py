"""The words of tiercli: canonical order fields, metrics and helpers with their units, Chinese names and meanings,
and the column names every output uses."""
