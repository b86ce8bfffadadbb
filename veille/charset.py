"""Documents that do not say their encoding: read them only when the reading is sure.

French sources send UTF-8, ISO-8859-1/15 or windows-1252. Bytes that declare nothing and are
not UTF-8 are read as windows-1252 (browsers do the same); that reading is sure only when the
result looks like French. KOI8-R, EUC-JP, Shift-JIS or windows-1255 read that way give a text
full of « Ã », « ¤ » or « Ð », which is flagged instead of being stored garbled.
"""
from __future__ import annotations

import codecs
import re

HTTP_CHARSET_RE = re.compile(r"charset\s*=\s*[\"']?\s*([\w.:-]+)", re.IGNORECASE)
BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
PRESCAN_BYTES = 16_384
UNCERTAIN = "encodage incertain (non déclaré, ni UTF-8, ni du français en windows-1252)"
# What French text in windows-1252 uses beyond ASCII.
FRENCH = set("àâäçéèêëîïôöùûüÿœæÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŸŒÆ«»‘’‚“”„–—…€°·•²³§©®™\xa0")
FOREIGN_SHARE = 0.05  # a few foreign letters (a Spanish name, « ß ») are still French text


def uncertain_encoding(content: bytes) -> bool:
    """True when bytes that declare no encoding are neither UTF-8 nor French in windows-1252."""
    try:
        content.decode("utf-8")
        return False
    except UnicodeDecodeError:
        pass
    try:
        text = content.decode("cp1252")
    except UnicodeDecodeError:  # bytes windows-1252 leaves undefined: another encoding
        return True
    beyond = [char for char in text if ord(char) > 127]
    foreign = sum(char not in FRENCH for char in beyond)
    return foreign > max(2, FOREIGN_SHARE * len(beyond))


def http_charset(content_type: str | None) -> str | None:
    match = HTTP_CHARSET_RE.search(content_type or "")
    return match.group(1) if match else None


def declares_encoding(content: bytes, content_type: str | None, inline: re.Pattern) -> bool:
    """A byte-order mark, a charset in the Content-Type, or a declaration `inline` in the head."""
    return (content.startswith(tuple(bom for bom, _ in BOMS)) or http_charset(content_type) is not None
            or inline.search(content[:PRESCAN_BYTES]) is not None)
