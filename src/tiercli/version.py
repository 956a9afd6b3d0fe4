"""The version of tiercli installed, as the package metadata says (`0+unknown` when run from a bare source tree)."""

from __future__ import annotations

from importlib import metadata


def version() -> str:
    try:
        return metadata.version("tiercli")
    except metadata.PackageNotFoundError:
        return "0+unknown"
