"""Words every area uses.

key → (English, Chinese); keys are used as "common.<key>"."""

ENTRIES: dict[str, tuple[str, str]] = {
    "did_you_mean": (" (did you mean '{choice}'?)", "（是否想写 '{choice}'？）"),
    "bad_lang": ("--lang '{lang}' is not a language tiercli speaks; use en or zh",
                 "--lang '{lang}' 不是 tiercli 支持的语言；请用 en 或 zh"),
}
