"""feeds.yaml: the shipped catalogue is valid, and every error names file, line, owner and field."""
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.conftest import REPO
from veille.catalog import CATEGORIES, CatalogInvalid, load_catalog, parse_catalog

GOOD_TOPICS = """topics:
  - slug: finances-locales
    label: "Finances locales"
    keywords: [dotation]
"""


def errors_of(text: str) -> list[str]:
    with pytest.raises(CatalogInvalid) as caught:
        parse_catalog(text, Path("feeds.yaml"))
    return [str(e) for e in caught.value.errors]


def test_shipped_catalog_is_valid_and_complete():
    catalog = load_catalog(REPO / "feeds.yaml")
    assert 55 <= len(catalog.topics) <= 60
    assert "tic-reseaux-telephonie" in catalog.topics
    assert catalog.topics["tic-reseaux-telephonie"].label == "TIC - Réseaux - Téléphonie"
    assert catalog.topics["tic-reseaux-telephonie"].theme == "Numérique"
    assert all(topic.theme for topic in catalog.topics.values())  # every rubrique is listed under a theme
    feeds = [s for s in catalog.sources.values() if s.kind in ("rss", "atom")]
    assert len(catalog.sources) >= 20 and len(feeds) >= 20
    assert {s.category for s in catalog.sources.values()} == set(CATEGORIES)
    for source in catalog.sources.values():
        assert urlsplit(source.url).scheme == "https", source.id
        assert not source.allow_private, source.id
        assert any(host in source.url for host in (".gouv.fr", ".fr", ".org", ".eu", "maire-info.com")), source.id


def test_shipped_sources_a_watch_for_collectivites_needs():
    catalog = load_catalog(REPO / "feeds.yaml")
    sources = catalog.sources
    for source_id in ("dila-questions-an", "dila-questions-senat"):
        assert (sources[source_id].kind, sources[source_id].options) == ("questions", {"format": "dila"})
    assert sources["dila-questions-senat"].url.endswith("/Questions-Reponses/SENAT/Annee_en_cours/")
    assert sources["eurlex-jo-serie-c"].url.endswith("rssId=221") and sources["eurlex-jo-serie-l"].url.endswith("rssId=222")
    for source_id in ("conseil-constitutionnel-decisions", "anssi-cert-fr", "maire-info"):
        assert sources[source_id].enabled and sources[source_id].kind == "rss"
    assert sources["senat-rapports"].kind == "atom"
    assert not sources["localtis-publics-fragiles"].enabled
    assert sources["cnfpt-actualites"].url != "https://www.cnfpt.fr/actualites"


def test_readme_source_table_has_a_line_per_source_and_invents_no_date():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    table = readme.split("### Sources", 1)[1].split("\n\n| source |", 1)[1].split("\n\n", 1)[0]
    lines = {line.split("|")[1].strip().strip("`"): line for line in table.splitlines()[2:]}
    assert set(lines) == set(load_catalog(REPO / "feeds.yaml").sources)
    for source_id, line in lines.items():
        cells = [cell.strip() for cell in line.split("|")[1:-1]]
        assert len(cells) == 6 and all(cells), source_id
        assert cells[5] == "non vérifié" or re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", cells[5]), source_id
    assert "Licence Ouverte / Etalab 2.0" in lines["dila-jorf"]


def test_each_error_names_file_line_owner_and_field():
    text = GOOD_TOPICS + """sources:
  - id: senat
    name: Sénat
    kind: rss
    category: parlement
    interval: 2h
  - id: senat
    name: Sénat bis
    kind: rss
    url: https://www.senat.fr/rss/presse.rss
    category: parlement
    interval: 2h
  - id: an
    name: AN
    kind: rss
    url: https://www.assemblee-nationale.fr/rss
    category: parlement
    topics: [finances-locales, rubrique-fantome]
    interval: 2 semaines
    colour: bleu
"""
    errors = errors_of(text)
    assert "feeds.yaml:6 : source « senat » : champ « url » : champ obligatoire absent" in errors
    assert "feeds.yaml:11 : source « senat » : champ « id » : identifiant de source en double" in errors
    assert "feeds.yaml:22 : source « an » : champ « topics » : rubrique inconnue « rubrique-fantome »" in errors
    assert "feeds.yaml:23 : source « an » : champ « interval » : intervalle invalide « 2 semaines » (exemples : 15m, 2h, 1d)" in errors
    assert any(e.startswith("feeds.yaml:24 : source « an » : champ « colour » : clé inconnue") for e in errors)
    assert len(errors) == 5


def test_kind_category_url_and_topic_errors():
    text = """topics:
  - slug: Finances Locales
    label: x
  - label: sans slug
sources:
  - id: a
    name: A
    kind: telex
    url: file:///etc/passwd
    category: presse
    interval: 0m
"""
    errors = errors_of(text)
    assert any(":2 : rubrique « Finances Locales » : champ « slug »" in e for e in errors)
    assert any(":4 : rubrique : champ « slug » : champ obligatoire absent" in e for e in errors)
    assert any(":8 : source « a » : champ « kind » : type inconnu « telex »" in e for e in errors)
    assert any(":9 : source « a » : champ « url » : adresse invalide" in e for e in errors)
    assert any(":10 : source « a » : champ « category » : catégorie inconnue « presse »" in e for e in errors)
    assert any(":11 : source « a » : champ « interval »" in e for e in errors)


def test_a_theme_is_optional_text():
    text = GOOD_TOPICS + """  - slug: elections
    label: Élections
    theme: [Institutions]
sources: []
"""
    assert errors_of(text) == ["feeds.yaml:7 : rubrique « elections » : champ « theme » : doit être un texte non vide"]
    catalog = parse_catalog(GOOD_TOPICS + "sources: []\n", Path("feeds.yaml"))
    assert catalog.topics["finances-locales"].theme == ""


def test_yaml_syntax_error_gives_the_line():
    errors = errors_of(GOOD_TOPICS + "sources:\n  - id: a\n    name: [unclosed\n")
    assert len(errors) == 1 and errors[0].startswith("feeds.yaml:") and "YAML invalide" in errors[0]


def test_yaml_syntax_errors_in_french_with_line_and_column():
    lines = GOOD_TOPICS.count("\n")
    cases = {
        "sources:\n  - id: a\n    name: DGCL : actualité: locale\n":
            f"feeds.yaml:{lines + 3} : YAML invalide, colonne 16 : « : » inattendu (un texte qui contient « : » "
            "doit être entre guillemets)",
        "sources:\n  - id: a\n\tname: A\n": f"feeds.yaml:{lines + 3} : YAML invalide, colonne 1 : "
                                           "tabulation interdite : indentez avec des espaces",
        "sources:\n  - id: a\n    name: \"DGCL\n": f"feeds.yaml:{lines + 4} : YAML invalide, colonne 1 : "
                                                  "fin du fichier inattendue (un guillemet n'est-il pas fermé ?)",
        "sources:\n  - id: a\n    name: A\n   kind: rss\n": f"feeds.yaml:{lines + 4} : YAML invalide, colonne 4 : "
                                                           "indentation incohérente avec les lignes précédentes",
    }
    for text, error in cases.items():
        assert errors_of(GOOD_TOPICS + text) == [error]


def test_missing_top_level_keys():
    errors = errors_of("foo: 1\n")
    assert any("champ « foo » : clé inconnue" in e for e in errors)
    assert any("champ « topics » : clé obligatoire absente" in e for e in errors)
    assert any("champ « sources » : clé obligatoire absente" in e for e in errors)


def test_check_config_prints_every_error_and_exits_2(env):
    env.feeds.write_text(GOOD_TOPICS + """sources:
  - id: a
    name: A
    kind: rss
    category: actualite
    interval: 1x
""", encoding="utf-8")
    result = env.cli("check-config")
    assert result.code == 2
    assert "2 erreurs dans la configuration des sources" in result.err
    assert f"{env.feeds}:6 : source « a » : champ « url »" in result.err
    assert f"{env.feeds}:10 : source « a » : champ « interval »" in result.err
    assert "Traceback" not in result.err


def test_check_config_on_a_good_file(env):
    env.write_feeds([{"id": "a", "name": "A", "url": "https://exemple.gouv.fr/rss"}])
    result = env.cli("check-config")
    assert result.code == 0 and "configuration valide, 4 rubriques, 1 source." in result.out


def test_missing_or_non_utf8_file(env):
    missing = env.cli("check-config")
    assert missing.code == 2 and f"  {env.feeds} : fichier introuvable\n" in missing.err and ":0" not in missing.err
    env.feeds.write_bytes("topics: []\nsources: []\n# é".encode("latin-1"))
    result = env.cli("check-config")
    assert result.code == 2 and "n'est pas en UTF-8" in result.err
