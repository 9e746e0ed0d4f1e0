"""Every string a page, a form message, a notification or an e-mail shows has its Chinese translation.

Extraction is Babel's own (exchange/i18n/extract.py, what `scripts/i18n update` runs); a string added to a
template or wrapped in `_()`/`Msg()` without its translation in the .po fails here, naming the string.
"""

from __future__ import annotations

import re

from babel.messages.pofile import read_po

from exchange.i18n.extract import extract_catalog, po_path

PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|\{(\w+)\}")


def _placeholders(text: str) -> set[str]:
    return {a or b for a, b in PLACEHOLDER.findall(text)}


def _chinese() -> dict[object, object]:
    with po_path("zh_CN").open("rb") as handle:
        catalog = read_po(handle, locale="zh_CN")
    return {m.id: m.string for m in catalog if m.id and not m.fuzzy}


def test_every_extracted_string_has_a_chinese_translation() -> None:
    translated = _chinese()
    missing = []
    for message in extract_catalog():
        if not message.id:
            continue
        string = translated.get(message.id)
        text = string[0] if isinstance(string, tuple) else string
        if not text:
            where = ", ".join(f"{path}:{line}" for path, line in message.locations[:2])
            missing.append(f"{message.id!r} ({where})")
    assert not missing, "strings without a Chinese translation (run scripts/i18n update, then translate):\n" + (
        "\n".join(missing)
    )


def test_each_translation_keeps_the_placeholders_of_its_english() -> None:
    wrong = []
    for msgid, string in _chinese().items():
        english = msgid[-1] if isinstance(msgid, tuple) else msgid
        chinese = string[0] if isinstance(string, tuple) else string
        if chinese and isinstance(english, str) and _placeholders(english) != _placeholders(str(chinese)):
            wrong.append(f"{english!r} -> {chinese!r}")
    assert not wrong, "translations that lose or add a placeholder:\n" + "\n".join(wrong)


def test_the_catalogue_has_nothing_the_code_no_longer_says() -> None:
    extracted = {m.id for m in extract_catalog() if m.id}
    stale = [msgid for msgid in _chinese() if msgid not in extracted]
    assert not stale, f"remove with scripts/i18n update: {stale[:10]}"
