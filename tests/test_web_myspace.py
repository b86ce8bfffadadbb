"""« Mon espace » over real HTTP: login required; the private feed of one's rubriques and of an
alert, revocable; « Ma sélection » and its CSV; the export of everything personal and the
deletion of the account (the organisation stays)."""
import csv
import io
import json
from urllib.parse import quote

import feedparser
from sqlalchemy import func, select

from tests.personal_site import READER, client_of, members, week  # noqa: F401  (fixtures)
from tests.web_accounts import TOULOUSE as SIREN, csrf_of as csrf, text
from veille.accounts.models import Organisation, User
from veille.bulletins.models import Subscriber
from veille.models import Item
from veille.personal.models import Alert, PersonalFeed, SavedItem

PAGES = ("/mon-espace", "/mon-espace/selection", "/mon-espace/alertes", "/mon-espace/export",
         "/mon-espace/selection.csv")


def item_id(site, title_start: str) -> str:
    with site.env.session() as session:
        return session.scalar(select(Item.id).where(Item.title.startswith(title_start)))


def test_anonymous_visitors_are_sent_to_the_login_page(members):
    anonymous = client_of(members)
    for path in PAGES:
        answer = anonymous.get(path)
        assert answer.status_code == 303 and answer.headers["Location"] == f"/connexion?next={quote(path)}", path


def test_subscription_and_private_feed_of_the_chosen_rubriques(members):
    reader = client_of(members, READER)
    token = csrf(reader.get("/mon-espace").text)
    answer = reader.post("/mon-espace/abonnement", data={
        "csrf_token": token, "rubriques": ["finances-locales"], "frequence": "daily", "livraison": "work",
        "adresse_pro": "dgs@mairie-exemple.fr"})
    assert answer.status_code == 303
    bad = reader.post("/mon-espace/abonnement", data={"csrf_token": token, "frequence": "horaire"})
    assert bad.status_code == 400 and "paramètre « frequence »" in bad.text
    with members.env.session() as session:
        subscriber = session.scalar(select(Subscriber).where(Subscriber.email == READER))
        assert (subscriber.topics, subscriber.delivery_address) == (["finances-locales"], "dgs@mairie-exemple.fr")

    assert reader.post("/mon-espace/flux", data={"csrf_token": token}).status_code == 303
    with members.env.session() as session:
        first = session.scalar(select(PersonalFeed.token))
    answer = client_of(members).get(f"/flux/perso/{first}.rss")  # the secret address is enough
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "private, max-age=300"
    titles = [entry.title for entry in feedparser.parse(answer.content).entries]
    assert "FCTVA : les dépenses d'entretien des bâtiments deviennent éligibles" in titles
    assert not any("Fibre" in title for title in titles)  # not in the reader's rubriques

    assert reader.post("/mon-espace/flux", data={"csrf_token": token}).status_code == 303  # a new address
    assert client_of(members).get(f"/flux/perso/{first}.rss").status_code == 404
    assert reader.post("/mon-espace/flux/revoquer", data={"csrf_token": token}).status_code == 303
    with members.env.session() as session:
        assert session.scalar(select(func.count()).select_from(PersonalFeed)) == 0


def test_selection_alerts_export_and_account_deletion(members):
    reader = client_of(members, READER)
    token = csrf(reader.get("/mon-espace").text)
    fctva = item_id(members, "FCTVA")
    answer = reader.post("/mon-espace/selection", data={
        "csrf_token": token, "article": fctva, "note": "=HYPERLINK(\"http://pirate\")", "next": "//pirate.example"})
    assert answer.status_code == 303 and answer.headers["Location"] == "/"  # never to another site
    rows = list(csv.reader(io.StringIO(reader.get("/mon-espace/selection.csv").content.decode("utf-8-sig")),
                           delimiter=";"))
    assert rows[1][0].startswith("FCTVA") and rows[1][6] == "'=HYPERLINK(\"http://pirate\")"  # not a formula
    assert reader.post("/mon-espace/selection", data={"csrf_token": token, "article": "inconnu"}).status_code == 404

    answer = reader.post("/mon-espace/alertes", data={"csrf_token": token, "nom": "Le FCTVA", "q": "FCTVA",
                                                      "categorie": "actualite"})
    assert answer.status_code == 303
    assert reader.post("/mon-espace/alertes", data={"csrf_token": token, "q": "x", "rubrique": "voirie"}).status_code == 400
    with members.env.session() as session:
        alert = session.scalar(select(Alert))
        assert (alert.name, alert.query) == ("Le FCTVA", "q=FCTVA&categorie=actualite")
    feed = client_of(members).get(f"/flux/alertes/{alert.token}.atom")
    assert feed.status_code == 200
    assert [e.title for e in feedparser.parse(feed.content).entries] == [
        "FCTVA : les dépenses d'entretien des bâtiments deviennent éligibles"]

    exported = reader.get("/mon-espace/export")
    assert exported.headers["Content-Disposition"] == 'attachment; filename="mes-donnees-veille.json"'
    data = json.loads(exported.text)
    assert data["compte"]["email"] == READER and data["compte"]["organisation"]["siren"] == SIREN
    assert [row["article"] for row in data["selection"]] == [fctva]
    assert [row["nom"] for row in data["alertes"]] == ["Le FCTVA"]

    refused = reader.post("/mon-espace/supprimer", data={"csrf_token": token})
    assert refused.status_code == 400 and "cochez la case" in refused.text
    answer = reader.post("/mon-espace/supprimer", data={"csrf_token": token, "confirmation": "oui"})
    assert answer.status_code == 200 and "Votre compte, votre sélection, vos alertes" in answer.text
    with members.env.session() as session:
        assert session.scalar(select(User).where(User.email == READER)) is None
        for table in (SavedItem, Alert):
            assert session.scalar(select(func.count()).select_from(table)) == 0
        assert session.scalar(select(Organisation.name).where(Organisation.siren == SIREN)) == "Commune de Toulouse"
    assert reader.get("/mon-espace").status_code == 303  # logged out
    assert client_of(members).get(f"/flux/alertes/{alert.token}.atom").status_code == 404


def test_an_item_is_kept_from_its_page(members):
    fctva = item_id(members, "FCTVA")
    assert "Garder dans ma sélection" not in client_of(members).get(f"/articles/{fctva}").text  # anonymous
    reader = client_of(members, READER)
    page = reader.get(f"/articles/{fctva}").text
    assert "Garder dans ma sélection" in page
    answer = reader.post("/mon-espace/selection", data={"csrf_token": csrf(page), "article": fctva,
                                                        "note": "Pour la commission", "next": f"/articles/{fctva}"})
    assert answer.status_code == 303 and answer.headers["Location"] == f"/articles/{fctva}"
    listed = text(reader.get("/mon-espace/selection").text)
    assert "FCTVA : les dépenses d'entretien" in listed and "Ma note : Pour la commission" in listed
