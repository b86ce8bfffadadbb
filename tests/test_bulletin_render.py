"""Rendering: golden files for one daily and one weekly edition, and what every format promises.

Regenerate the golden files after a deliberate change with `make golden`, then review the diff
of tests/golden/. A run that rewrites a golden file fails, so a CI that happens to set
VEILLE_UPDATE_GOLDEN can never pass without comparing.
"""
import os
import re
import zlib
from datetime import date
from pathlib import Path

import pytest

from tests.test_bulletin_build import week  # noqa: F401  (fixture)
from veille.bulletins.editions import content_of, find
from veille.bulletins.render import Links, page_html, reading

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("VEILLE_UPDATE_GOLDEN") == "1"


def check_golden(name: str, text: str) -> bool:
    """Compare with the golden file; with VEILLE_UPDATE_GOLDEN=1 rewrite it when it differs and
    say so (the caller fails, so a rewrite never passes)."""
    path = GOLDEN / name
    if UPDATE and (not path.exists() or path.read_text(encoding="utf-8") != text):
        path.write_text(text, encoding="utf-8")
        return True
    assert path.exists(), f"{path} manque : « make golden » pour le créer"
    assert text == path.read_text(encoding="utf-8"), f"{name} a changé (« make golden » pour l'accepter)"
    return False


def render(env, kind: str, fmt: str, *extra: str) -> str:
    out = env.root / f"{kind}.{fmt}"
    result = env.cli("bulletin", "render", kind, "--date", "2017-03-29", "--format", fmt, "-o", str(out), *extra)
    assert result.code == 0, result.err
    return out.read_text(encoding="utf-8")


def content(env, kind: str):
    with env.session() as session:
        return content_of(find(session, kind, date(2017, 3, 29)))


@pytest.mark.parametrize("kind", ["daily", "weekly"])
def test_golden_editions(week, kind):
    rewritten = [name for name, text in (
        (f"{kind}.txt", render(week, kind, "text")),
        (f"{kind}.email.html", render(week, kind, "html")),
        (f"{kind}.page.html", page_html(reading(content(week, kind)), Links("https://veille.test"), "Veille")),
    ) if check_golden(name, text)]
    assert not rewritten, f"réécrits : {', '.join(rewritten)} ; relisez le diff de tests/golden/ puis relancez"


def test_text_is_72_columns_with_its_links_listed(week):
    text = render(week, "daily", "text")
    lines = text.splitlines()
    end = lines.index("Liens\xa0:")
    links = lines[end + 1:]
    assert all(re.fullmatch(r"\[\d+\] https://\S+", line) for line in links)
    assert all(len(line) <= 72 for line in lines[:end])
    for number in re.findall(r"\[(\d+)\]", "\n".join(lines[:end])):
        assert f"[{number}] https://" in text  # every reference is listed
    assert "JORF n°0075 du 29 mars 2017 - NOR\xa0: INTA1708123D" in text  # French typography
    assert "«\xa0contribution au redressement des finances publiques\xa0»" in re.sub(r"\n +", " ", text)


def test_html_escapes_feed_text_and_links_only_to_http(week):
    for html in (render(week, "daily", "html"), page_html(reading(content(week, "daily")), Links("https://veille.test"), "Veille")):
        assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "javascript:" not in html
        assert all(href.startswith("https://") for href in re.findall(r'href="([^"]*)"', html))
        assert "Journal officiel" in html and "Aucun autre texte ayant retenu notre attention." in html


def test_subscriber_rendering_shows_only_their_rubriques(week):
    assert week.cli("subscribers", "add", "agent@mairie-exemple.fr", "--topics", "forets").code == 0
    text = render(week, "daily", "text", "--subscriber", "Agent@Mairie-Exemple.fr".lower())
    assert "Aides aux communes forestières" in text and "Répertoire électoral" not in text
    assert "1 texte retenu dans vos rubriques." in text.replace("\xa0", " ")
    assert "Se désabonner [" in text


def test_pdf_of_the_full_edition(week):
    out = week.root / "edition.pdf"
    result = week.cli("bulletin", "render", "daily", "--date", "2017-03-29", "--format", "pdf", "-o", str(out))
    assert result.code == 0, result.err
    data = out.read_bytes()
    assert data.startswith(b"%PDF-") and b"%%EOF" in data[-1024:]
    streams = b"".join(zlib.decompress(raw) for raw in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S))
    bookmarks = {bytes.fromhex(h.decode()).decode("utf-16-be") for h in re.findall(rb"/Title <feff([0-9a-f]+)>", streams)}
    assert {"L'actualité du mercredi 29 mars 2017", "Élections", "Réponses ministérielles"} <= bookmarks
    assert len(re.findall(rb"/Type\s*/Page\b", data + streams)) >= 2


def test_text_to_standard_output(week):
    result = week.cli("bulletin", "render", "weekly", "--date", "2017-04-02", "--format", "text")
    assert result.code == 0 and result.out.startswith("Veille – Récapitulatif de la semaine du 27 mars au 2 avril 2017")


def test_base_url_must_be_a_web_address(week, monkeypatch):
    monkeypatch.setenv("VEILLE_BASE_URL", "veille.test")
    result = week.cli("bulletin", "render", "daily", "--date", "2017-03-29", "--format", "text")
    assert result.code == 2 and "VEILLE_BASE_URL" in result.err and "Traceback" not in result.err
