"""The learned stage of classification: the scorer, what it may add or veto, its settings in
feeds.yaml, the shipped weights, and `veille classify --explain` showing « modèle : 0.83 »."""
import gzip
import json
import math
from pathlib import Path

import pytest

from tests.conftest import fixture_bytes
from veille.catalog import CatalogInvalid, Topic, load_catalog, parse_catalog
from veille.classify import MODEL, RULE, SOURCE, Assignment, Document, classify
from veille.learned import MODEL_FILE, ModelInvalid, ModelSettings, features, load_model

REPO = Path(__file__).resolve().parents[1]
CIMETIERES = Topic("funeraire-cimetieres", "Funéraire - Cimetières", keywords=("cimetière",))
ECOLES = Topic("ecoles-education", "Écoles - Éducation", keywords=("école",))
TOPICS = {t.slug: t for t in (CIMETIERES, ECOLES)}


def tiny_model(path: Path, weights: dict[str, dict[str, float]], intercepts=(-2.0, -2.0)) -> Path:
    """A model file in the shipped format: two rubriques, every term of weight given an IDF of 1."""
    terms = sorted({t for pairs in weights.values() for t in pairs})
    data = {"format": 1, "topics": ["funeraire-cimetieres", "ecoles-education"], "intercepts": list(intercepts),
            "terms": terms, "idf": [1.0] * len(terms),
            "weights": {t: {str(i): w[t] for i, w in enumerate(weights.values()) if t in w} for t in terms}}
    with gzip.open(path, "wt", encoding="utf-8") as out:
        json.dump(data, out)
    return path


@pytest.fixture
def model_file(tmp_path):
    return tiny_model(tmp_path / "model.json.gz", {"funeraire-cimetieres": {"concessions": 2.0, "t:concessions": 2.0},
                                                   "ecoles-education": {"cantine": 6.0}})


def test_features_are_folded_words_pairs_and_title_words():
    assert features("Les Écoles", "Cantine scolaire 2026") == [
        "les", "ecoles", "les ecoles", "cantine", "scolaire", "cantine scolaire", "t:les", "t:ecoles"]


def test_scores_are_a_logistic_function_of_the_normalised_tf_idf(model_file):
    scores = load_model(model_file).scores("", "concessions concessions")
    assert scores["funeraire-cimetieres"] == pytest.approx(1 / (1 + math.exp(-(-2.0 + 2.0))))
    # Title words count twice (as words and as « t: » words), then the vector is normalised.
    title = load_model(model_file).scores("Concessions", "")
    assert title["funeraire-cimetieres"] == pytest.approx(1 / (1 + math.exp(-(-2.0 + 4.0 / math.sqrt(2)))))
    assert scores["ecoles-education"] == pytest.approx(1 / (1 + math.exp(2.0)))


def test_the_model_proposes_what_the_rules_missed_and_says_so(model_file):
    settings = ModelSettings(propose=0.6, file=model_file)
    doc = Document("Reprise des concessions abandonnées")
    assert classify(doc, TOPICS) == []
    [proposed] = classify(doc, TOPICS, (), settings)
    assert (proposed.topic, proposed.origin) == ("funeraire-cimetieres", MODEL)
    assert proposed.reason == "modèle : 0.70"
    # Nothing over `propose`: the item stays « À classer ».
    assert classify(Document("Opérations extérieures"), TOPICS, (), settings) == []
    assert classify(doc, TOPICS, (), ModelSettings(enabled=False, file=model_file)) == []


def test_a_keyword_only_in_the_text_needs_the_models_confirmation(model_file):
    settings = ModelSettings(propose=0.9, confirm=0.5, file=model_file)
    passing = Document("Question sur la défense", "Le ministre a visité une école de la région.")
    assert [a.topic for a in classify(passing, TOPICS)] == ["ecoles-education"]
    assert classify(passing, TOPICS, (), settings) == []  # vetoed: the model gives it 0.12
    confirmed = Document("Question", "La cantine de l'école et la cantine du collège.")
    [kept] = classify(confirmed, TOPICS, (), settings)
    assert (kept.origin, kept.reason) == (RULE, f"mot-clé « école » dans le texte ; modèle : {kept.reason[-4:]}")
    assert float(kept.reason[-4:]) >= 0.5
    # A keyword in the title is never vetoed, nor is a topic the model does not know.
    assert [a.topic for a in classify(Document("Une école"), TOPICS, (), settings)] == ["ecoles-education"]
    urbanisme = {"urbanisme": Topic("urbanisme", "Urbanisme", keywords=("plu",))}
    assert [a.topic for a in classify(Document("Note", "Le PLU"), urbanisme, (), settings)] == ["urbanisme"]


def test_model_settings_in_feeds_yaml_are_checked(tmp_path):
    catalog = parse_catalog("topics: []\nmodel: {enabled: false, propose: 0.7}\nsources: []\n", tmp_path / "f.yaml")
    assert (catalog.model.enabled, catalog.model.propose, catalog.model.confirm) == (False, 0.7, 0.0)
    assert parse_catalog("topics: []\nsources: []\n", tmp_path / "f.yaml").model is None
    with pytest.raises(CatalogInvalid) as error:
        parse_catalog("topics: []\nmodel:\n  propose: 2\n  confirm: oui\n  seuil: 1\nsources: []\n", tmp_path / "f.yaml")
    assert [str(e) for e in error.value.errors] == [
        f"{tmp_path / 'f.yaml'}:5 : model : champ « seuil » : clé inconnue (clés permises : confirm, enabled, propose)",
        f"{tmp_path / 'f.yaml'}:3 : model : champ « propose » : doit être un nombre entre 0 et 1",
        f"{tmp_path / 'f.yaml'}:4 : model : champ « confirm » : doit être un nombre entre 0 et 1"]


def test_a_broken_model_file_is_named(tmp_path):
    broken = tmp_path / "model.json.gz"
    broken.write_bytes(b"pas du gzip")
    with pytest.raises(ModelInvalid, match="model.json.gz : modèle de classement illisible"):
        load_model(broken)


def test_the_shipped_model_is_small_knows_every_rubrique_and_holds_no_text():
    catalog = load_catalog(REPO / "feeds.yaml")
    assert catalog.model is not None and catalog.model.enabled
    assert MODEL_FILE.stat().st_size < 5 * 1024 * 1024
    model = load_model(MODEL_FILE)
    assert set(model.topics) <= set(catalog.topics) and len(model.topics) >= 50
    # Single words and pairs of words only: no sentence of the training texts can be read back.
    assert all(len(term.split()) <= 2 for term in model.idf)


def test_classify_explain_shows_the_models_score(env, server):
    server.route("/dgcl.xml", fixture_bytes("dgcl_rss2_utf8.xml"))
    env.write_feeds([{"id": "dgcl", "name": "DGCL", "url": server.url("/dgcl.xml")}],
                    topics=[{"slug": "dotations-perequation", "label": "Dotations - Péréquation", "keywords": []}])
    env.feeds.write_text(env.feeds.read_text(encoding="utf-8") + "model: {propose: 0.5}\n", encoding="utf-8")
    env.cli("crawl")
    out = env.cli("items", "--json").out
    dgf = next(i for i in map(json.loads, out.splitlines()) if i["title"].startswith("Dotation"))
    assert dgf["topics"] == ["dotations-perequation"]
    explained = env.cli("classify", "--explain", dgf["id"]).out
    assert "dotations-perequation" in explained and "modèle" in explained and "modèle : 0." in explained
    env.feeds.write_text(env.feeds.read_text(encoding="utf-8").replace("model: {propose: 0.5}",
                                                                      "model: {enabled: false}"), encoding="utf-8")
    env.cli("reclassify")
    assert "« À classer »" in env.cli("classify", "--explain", dgf["id"]).out


def test_check_config_says_how_items_are_classified(env):
    env.write_feeds([{"id": "dgcl", "name": "DGCL", "url": "https://www.collectivites-locales.gouv.fr/rss.xml"}])
    assert "Classement : les règles seules (modèle désactivé)." in env.cli("check-config").out
    env.feeds.write_text(env.feeds.read_text(encoding="utf-8") + "model: {propose: 0.5}\n", encoding="utf-8")
    checked = env.cli("check-config")
    assert checked.code == 0 and "Classement : les règles, puis le modèle (propose 0.5, confirm 0)." in checked.out


def test_thresholds_count_at_their_value_and_the_model_never_overrides_a_rule(model_file):
    doc = Document("Reprise des concessions abandonnées")
    score = load_model(model_file).scores(doc.title, doc.text)["funeraire-cimetieres"]
    assert classify(doc, TOPICS, (), ModelSettings(propose=score, file=model_file)) == [
        Assignment("funeraire-cimetieres", MODEL, f"modèle : {score:.2f}")]
    # A rubrique the model knows but the catalogue does not hold is never proposed.
    assert classify(doc, {"ecoles-education": ECOLES}, (), ModelSettings(propose=score, file=model_file)) == []
    weak = Document("Question", "La cantine de l'école et la cantine du collège.")
    confirm = load_model(model_file).scores(weak.title, weak.text)["ecoles-education"]
    assert classify(weak, TOPICS, (), ModelSettings(propose=0.99, confirm=confirm, file=model_file)) == [
        Assignment("ecoles-education", RULE, f"mot-clé « école » dans le texte ; modèle : {confirm:.2f}")]
    # The model scores the rubrique of a keyword in the title highly: the rule's reason stays.
    both = Document("Une école", "La cantine, la cantine")
    assert classify(both, TOPICS, (), ModelSettings(propose=0.5, file=model_file)) == [
        Assignment("ecoles-education", RULE, "mot-clé « école » dans le titre")]
    assert classify(Document("Note"), TOPICS, ("ecoles-education",)) == [
        Assignment("ecoles-education", SOURCE, "rubrique par défaut de la source")]
