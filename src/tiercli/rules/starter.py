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


# Platforms whose exports are Chinese shops' (profile names start with these): tmall-5 suits them.
CHINESE_PLATFORMS: tuple[str, ...] = ("tmall", "taobao", "qianniu", "jd", "youzan", "pinduoduo", "douyin")
CHINESE_PRESET = "tmall-5"
ENGLISH_PRESET = "us-value"


def suggest_preset(platform: str | None, currency: str | None, chinese_headers: bool) -> tuple[str, Said]:
    """The preset for an export, and why: the data's currency when it names one (CNY → tmall-5, any other →
    us-value), else the platform (a Chinese one → tmall-5, any other → us-value), else the language of the
    headers."""
    if currency is not None:
        if currency in ("CNY", "USD"):
            preset = CHINESE_PRESET if currency == "CNY" else ENGLISH_PRESET
            return preset, say("rules.preset_why.currency", currency=currency, preset=preset)
        return ENGLISH_PRESET, say("rules.preset_why.other_currency", currency=currency, preset=ENGLISH_PRESET)
    if platform is not None:
        if platform.split("-")[0] in CHINESE_PLATFORMS:
            return CHINESE_PRESET, say("rules.preset_why.chinese_platform", platform=platform, preset=CHINESE_PRESET)
        return ENGLISH_PRESET, say("rules.preset_why.platform", platform=platform, preset=ENGLISH_PRESET)
    if chinese_headers:
        return CHINESE_PRESET, say("rules.preset_why.chinese_headers", preset=CHINESE_PRESET)
    return ENGLISH_PRESET, say("rules.preset_why.other_headers", preset=ENGLISH_PRESET)


BEHAVIOUR_TAGS = "behaviour-tags.yaml"  # the tags a run with --events adds to a preset's


def starter_text(preset: str = "tmall-5", events: bool = False) -> str:
    """The commented rules file of `preset`, with the behaviour tags (浏览未购, 加购未买, 高兴趣低转化, 浏览美妆未购)
    after its own tags when `events`; `UsageError` naming the presets when it doesn't exist."""
    available = presets()
    if preset not in available:
        names = say("common.comma")
        raise UsageError(say("rules.unknown_preset_option", name=preset, hint=suggestion(preset, available),
                             presets=Said(str(names).join(available), names.zh.join(available))),
                         slug="unknown_preset")
    resource = resources.files(_PACKAGE).joinpath(_FOLDER, f"{preset}.yaml")
    text = resource.read_bytes().decode("utf-8")
    return with_behaviour_tags(text) if events else text


def with_behaviour_tags(text: str) -> str:
    """A rules file's text with the behaviour tags at the end of its top-level `tags:` list (a `tags:` list of
    them when it has none)."""
    tags = resources.files(_PACKAGE).joinpath(BEHAVIOUR_TAGS).read_bytes().decode("utf-8")
    lines = text.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if line.startswith("tags:")), None)
    if start is None:
        return text.rstrip("\n") + "\n\ntags:\n" + tags
    end = next((i for i in range(start + 1, len(lines)) if lines[i][:1] not in ("", " ", "\n", "#")), len(lines))
    while end > start + 1 and not lines[end - 1].strip():
        end -= 1
    block = "".join(lines[:end])
    if not block.endswith("\n"):
        block += "\n"
    return block + tags + "".join(lines[end:])
