"""La rédaction over real HTTP: every editor route refuses other roles (403) and sends anonymous
visitors to the login page (303); forms need their CSRF token; an editor's changes go into the
history shown on the item's desk page, and a pin into the next daily edition."""
import re
from urllib.parse import quote

import feedparser
import pytest
from sqlalchemy import select

from tests.personal_site import ADMIN, EDITOR, READER, client_of, members, week  # noqa: F401  (fixtures)
from tests.web_accounts import csrf_of as csrf, text
from tests.test_bulletin_build import build_at
from veille.models import FrontPin, Item

ACTIONS = ("titre", "resume", "rubriques", "rubriques-automatiques", "masquer", "afficher", "une", "retirer-une")


def fctva(site) -> str:
    """The item that arrived after the last daily edition of the archive (29 March, 9:00)."""
    with site.env.session() as session:
        return session.scalar(select(Item.id).where(Item.title.startswith("FCTVA")))


def test_every_editor_route_refuses_other_roles(members):
    item_id = fctva(members)
    pages = ["/redaction", f"/redaction/articles/{item_id}"]
    forms = [f"/redaction/articles/{item_id}/{action}" for action in ACTIONS]
    anonymous, reader = client_of(members), client_of(members, READER)
    for path in pages:
        answer = anonymous.get(path)
        assert answer.status_code == 303 and answer.headers["Location"] == f"/connexion?next={quote(path)}"
        answer = reader.get(path)
        assert answer.status_code == 403, path
        assert "Cette page est réservée aux comptes de la rédaction ou administrateur." in answer.text
    token = csrf(reader.get("/").text)
    for path in forms:
        assert anonymous.post(path, data={}).status_code in (303, 400), path  # no session: login or CSRF first
        answer = reader.post(path, data={"csrf_token": token, "titre": "Piraté"})
        assert answer.status_code == 403, path
    with members.env.session() as session:
        assert session.get(Item, item_id).edited_headline is None
    for email in (EDITOR, ADMIN):
        client = client_of(members, email)
        assert [client.get(path).status_code for path in pages] == [200, 200]


def test_forms_without_their_csrf_token_are_refused(members):
    item_id = fctva(members)
    editor = client_of(members, EDITOR)
    answer = editor.post(f"/redaction/articles/{item_id}/titre", data={"titre": "Sans jeton"})
    assert answer.status_code == 400 and "jeton de sécurité" in answer.text
    page = editor.get(f"/redaction/articles/{item_id}").text
    forms = re.findall(r'<form[^>]*method="post".*?</form>', page, flags=re.S)
    assert len(forms) == 6 and all('name="csrf_token"' in form for form in forms)  # every form carries it


def test_desk_lists_new_items_unclassified_first_with_the_rule_of_each_rubrique(members):
    page = text(client_of(members, EDITOR).get("/redaction").text)
    assert "FCTVA : les dépenses d'entretien des bâtiments deviennent éligibles" in page
    assert "Fibre optique : appel à projets 2017" not in page  # in an earlier edition
    assert "Finances locales - Dotations — mot-clé « FCTVA » dans le titre" in page
    assert page.index("À classer (") < page.index("Classés (")


def test_an_editors_changes_are_recorded_and_a_pin_leads_the_next_edition(members):
    item_id = fctva(members)
    editor = client_of(members, EDITOR)
    token = csrf(editor.get(f"/redaction/articles/{item_id}").text)
    for action, data in (("titre", {"titre": "Le FCTVA s'ouvre à l'entretien"}),
                         ("rubriques", {"rubriques": ["finances-locales", "commande-publique"]}),
                         ("une", {})):
        answer = editor.post(f"/redaction/articles/{item_id}/{action}", data={**data, "csrf_token": token})
        assert answer.status_code == 303 and answer.headers["Location"] == f"/redaction/articles/{item_id}"
    answer = editor.post(f"/redaction/articles/{item_id}/rubriques",
                         data={"rubriques": ["voirie"], "csrf_token": token})
    assert answer.status_code == 400 and "Modification refusée : rubrique inconnue : « voirie »" in answer.text

    page = text(editor.get(f"/redaction/articles/{item_id}").text)
    history = page[page.index("Historique des modifications"):]
    assert history.count(EDITOR) == 3
    assert "Le FCTVA s'ouvre à l'entretien" in history and "À la une non oui" in history
    assert "Finances locales - Dotations Commande publique - Marchés publics, Finances locales - Dotations" in history
    with members.env.session() as session:
        assert [pin.pinned_by for pin in session.scalars(select(FrontPin))] == [EDITOR]

    # Listings and feeds show the editor's headline too.
    assert "Le FCTVA s'ouvre à l'entretien" in text(client_of(members).get("/recherche?q=FCTVA").text)
    assert "Le FCTVA s'ouvre à l'entretien" in [
        entry.title for entry in feedparser.parse(client_of(members).get("/flux/tout.rss").content).entries]

    content = build_at(members.env, "daily", "2017-03-30", "2017-03-30T07:00")
    assert [(entry.id, entry.headline) for entry in content.front] == [(item_id, "Le FCTVA s'ouvre à l'entretien")]


@pytest.mark.parametrize("action", ["supprimer", "..", "une%2F"])
def test_unknown_actions_are_not_found(members, action):
    editor = client_of(members, EDITOR)
    token = csrf(editor.get("/redaction").text)
    answer = editor.post(f"/redaction/articles/{fctva(members)}/{action}", data={"csrf_token": token})
    assert answer.status_code in (404, 405)


def test_an_editor_hides_an_item_and_shows_it_again(members):
    item_id = fctva(members)
    editor, anonymous = client_of(members, EDITOR), client_of(members)
    token = csrf(editor.get(f"/redaction/articles/{item_id}").text)
    answer = editor.post(f"/redaction/articles/{item_id}/masquer", data={"raison": "Doublon", "csrf_token": token})
    assert answer.status_code == 303
    assert anonymous.get(f"/articles/{item_id}").status_code == 410
    assert "Aucun résultat pour « FCTVA »" in text(anonymous.get("/recherche?q=FCTVA").text)  # out of search at once
    editor.post(f"/redaction/articles/{item_id}/afficher", data={"csrf_token": token})
    assert anonymous.get(f"/articles/{item_id}").status_code == 200
    history = text(editor.get(f"/redaction/articles/{item_id}").text).split("Historique des modifications")[-1]
    assert f"{EDITOR} Masquage Doublon —" in history and f"{EDITOR} Masquage — Doublon" in history
