"""Starter rules files shipped with tiercli, written out by `tiercli init`."""

from __future__ import annotations

from importlib import resources

from tiercli.errors import UsageError, suggestion
from tiercli.messages import Said, say

_PACKAGE = "tiercli.rules"
_FOLDER = "presets"


def presets() -> tuple[str, ...]:
    """Names of the packaged presets, e.g. ('tmall-5',)."""
    folder = resources.files(_PACKAGE).joinpath(_FOLDER)
    return tuple(sorted(p.name.removesuffix(".yaml") for p in folder.iterdir() if p.name.endswith(".yaml")))


def starter_text(preset: str = "tmall-5") -> str:
    """The commented rules file of `preset`; `UsageError` naming the presets when it doesn't exist."""
    available = presets()
    if preset not in available:
        names = say("common.comma")
        raise UsageError(say("rules.unknown_preset_option", name=preset, hint=suggestion(preset, available),
                             presets=Said(str(names).join(available), names.zh.join(available))),
                         slug="unknown_preset")
    resource = resources.files(_PACKAGE).joinpath(_FOLDER, f"{preset}.yaml")
    return resource.read_bytes().decode("utf-8")
