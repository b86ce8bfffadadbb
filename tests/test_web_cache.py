"""The page cache and the archive's version, over real HTTP: pages and feeds are rendered once
per archive version, and every change of the archive (a new item, an item hidden, an edit, the
search index catching up) shows at the very next request, in pages, feeds and the API."""
from contextlib import contextmanager

import httpx
import pytest
from flask import template_rendered
from sqlalchemy import select

from tests.test_bulletin_build import factory_of, paris, week  # noqa: F401  (fixture)
from tests.test_feeds import add_item, crawl, ids_of
from tests.livesite import LiveSite
from tests.test_web import get
from tests.web_accounts import SECRET, TOULOUSE, Browser, add_user, cli
from veille import archive_version
from veille.db import make_engine, transaction
from veille.entry import Entry
from veille.models import Item, SourceState
from veille.search.indexer import index_pending
from veille.config import Settings

FCTVA = Entry(key="fctva", url="https://www.collectivites-locales.gouv.fr/fctva",
              title="FCTVA : les dépenses d'entretien des bâtiments et de voirie deviennent éligibles",
              summary="Le FCTVA s'ouvre aux dépenses d'entretien des bâtiments publics et de la voirie.",
              published=paris("2017-03-29T08:30"))
PAGES = ["/", "/rubriques/finances-locales", "/categories/actualite", "/flux/tout.rss",
         "/flux/rubriques/finances-locales.atom", "/api/items", "/archives/2017/03/29"]


@pytest.fixture
def site(week):
    """The site as an anonymous visitor sees it (no licence holds 127.0.0.1)."""
    with LiveSite() as running, httpx.Client(base_url=running.url, timeout=30) as client:
        running.client = client
        yield running


@contextmanager
def counted(site):
    """The templates rendered meanwhile, in order."""
    names = []

    def record(sender, template, context, **extra):
        names.append(template.name)
    template_rendered.connect(record, site.app)
    yield names
    template_rendered.disconnect(record, site.app)


@pytest.fixture
def renders(site):
    with counted(site) as names:
        yield names


def version_now(env) -> int:
    with env.session() as session:
        return archive_version.current(session)


def test_a_page_is_rendered_once_per_archive_version(site, week, renders):
    first = get(site, "/rubriques/finances-locales")
    assert renders == ["listing.html"]
    again = get(site, "/rubriques/finances-locales", headers={"Host": "pirate.example"})
    assert again.text == first.text and renders == ["listing.html"]
    assert again.headers["cache-control"] == "public, no-cache"
    assert again.headers["content-security-policy"].startswith("default-src 'none'")
    add_item(week, "nouveau", "Dotation de soutien aux communes rurales 2017", topics=["finances-locales"],
             published_at=paris("2017-03-30T09:00"))
    changed = get(site, "/rubriques/finances-locales")
    assert "Dotation de soutien aux communes rurales 2017" in changed.text
    assert renders == ["listing.html", "listing.html"]


def test_a_cached_page_still_refuses_an_invalid_host_and_a_head_request_gets_no_body(site, week):
    assert get(site, "/rubriques/elections").status_code == 200
    refused = get(site, "/rubriques/elections", headers={"Host": "a..b"})
    assert refused.status_code == 400 and "en-tête Host" in refused.text
    head = site.client.head(site.url + "/rubriques/elections")
    assert head.status_code == 200 and head.content == b""


def test_a_new_item_shows_at_once_in_pages_feeds_and_the_api(site, week):
    before = {path: get(site, path) for path in PAGES}
    assert all(response.status_code == 200 for response in before.values())
    add_item(week, "nouveau", "Dotation de soutien aux communes rurales 2017", topics=["finances-locales"],
             published_at=paris("2017-03-29T09:00"))
    for path in PAGES:
        response = get(site, path, headers={"If-None-Match": before[path].headers["etag"]})
        assert response.status_code == 200, path
        assert "Dotation de soutien aux communes rurales 2017" in response.text, path


def test_a_hidden_item_leaves_cached_pages_and_feeds_at_once(site, week):
    title = "Élections municipales partielles"
    partielles = next(item_id for name, item_id in ids_of(week).items() if name.startswith(title))
    paths = ["/", "/rubriques/elections", "/categories/actualite", "/flux/tout.atom", "/flux/rubriques/elections.rss",
             "/api/items"]
    for path in paths:
        assert partielles in get(site, path).text, path
    assert get(site, f"/articles/{partielles}").status_code == 200
    assert week.cli("hide", partielles, "--reason", "doublon").code == 0
    for path in paths:
        assert partielles not in get(site, path).text, path
    assert get(site, f"/articles/{partielles}").status_code == 410
    assert week.cli("unhide", partielles).code == 0
    assert partielles in get(site, "/flux/rubriques/elections.rss").text
    assert get(site, f"/articles/{partielles}").status_code == 200


def test_an_edit_shows_at_once_and_ends_the_304s(site, week):
    fctva = ids_of(week)["FCTVA : les dépenses d'entretien des bâtiments deviennent éligibles"]
    paths = [f"/articles/{fctva}", "/rubriques/finances-locales", "/flux/rubriques/finances-locales.rss",
             f"/api/items/{fctva}"]
    etags = {path: get(site, path).headers["etag"] for path in paths}
    for path in paths:
        held = get(site, path, headers={"If-None-Match": etags[path]})
        assert held.status_code == 304 and held.content == b"", path
        assert held.headers["etag"] == etags[path]
    crawl(week, "dgcl", [FCTVA], "2017-03-30T10:00")
    for path in paths:
        changed = get(site, path, headers={"If-None-Match": etags[path]})
        assert changed.status_code == 200, path
        assert changed.headers["etag"] != etags[path]
        assert "bâtiments et de voirie deviennent éligibles" in changed.text, path


def test_an_unchanged_page_keeps_its_etag_when_the_archive_changes_elsewhere(site, week):
    elections = get(site, "/rubriques/elections")
    crawl(week, "dgcl", [FCTVA], "2017-03-30T10:00")
    assert get(site, "/rubriques/elections", headers={"If-None-Match": elections.headers["etag"]}).status_code == 304


def test_the_search_page_shows_a_new_item_once_the_index_has_it(site, week):
    assert "de <mark>voirie</mark> deviennent" not in get(site, "/recherche?q=voirie").text
    crawl(week, "dgcl", [FCTVA], "2017-03-30T10:00")
    index_pending(Settings.from_env(), factory_of(week))
    found = get(site, "/recherche?q=voirie")
    assert "bâtiments et de <mark>voirie</mark> deviennent éligibles" in found.text


def test_pages_are_never_shared_across_access_variants(week, monkeypatch):
    monkeypatch.setenv("VEILLE_SECRET_KEY", SECRET)
    monkeypatch.setenv("VEILLE_BASE_URL", "http://127.0.0.1")  # the session cookie over plain HTTP
    cli(week, "org", "add", "Commune de Toulouse", "--siren", TOULOUSE, "--type", "commune",
        "--licence-jusqu", "2099-12-31")
    add_user(week, monkeypatch, "agent@mairie-toulouse.fr", TOULOUSE)
    path = "/rubriques/elections"
    with LiveSite() as site, counted(site) as renders:
        visitor = Browser(site)
        anonymous = visitor.get(path)
        assert anonymous.headers["cache-control"] == "public, no-cache" and "Accès Commune" not in anonymous.text
        cli(week, "org", "ip", "add", TOULOUSE, "127.0.0.0/8")  # this client is now inside the range
        for _ in range(2):
            inside = visitor.get(path)
            assert "Accès Commune de Toulouse" in inside.text and inside.headers["cache-control"] == "private"
        assert renders == ["listing.html", "listing.html"]  # the organisation's page, rendered once
        assert visitor.get("/flux/tout.rss").headers["cache-control"] == "public, max-age=300"  # the same for all
        cli(week, "org", "ip", "remove", TOULOUSE, "127.0.0.0/8")
        assert visitor.get(path).text == anonymous.text  # rendered again, for the anonymous variant
        member = Browser(site)
        member.log_in("agent@mairie-toulouse.fr")
        for _ in range(2):
            assert "agent@mairie-toulouse.fr" in member.get(path).text
        assert renders.count("listing.html") == 5  # a logged-in user's pages are never cached
        assert member.get("/flux/tout.rss").headers["cache-control"] == "public, max-age=300"
        assert "agent@mairie-toulouse.fr" not in visitor.get(path).text


def test_pages_outside_the_readers_side_are_never_cached(site, week, renders):
    for _ in range(2):
        assert get(site, "/rubriques/inconnue").status_code == 404
    assert renders == ["error.html", "error.html"]
    edition = get(site, "/bulletins/quotidien/2017-03-29")
    assert edition.status_code == 200 and "etag" not in edition.headers
    assert get(site, "/healthz").headers["cache-control"] == "no-store"


def test_the_version_moves_only_with_what_pages_show(week):
    start = version_now(week)
    with transaction(factory_of(week)) as session:
        session.scalar(select(SourceState).where(SourceState.id == "dgcl")).failures = 3  # fetch state
    assert version_now(week) == start
    with transaction(factory_of(week)) as session:
        session.scalar(select(Item).order_by(Item.id).limit(1)).summary = "Résumé revu."
    assert version_now(week) == start + 1
    with pytest.raises(RuntimeError), transaction(factory_of(week)) as session:
        session.scalar(select(Item).order_by(Item.id).limit(1)).summary = "Jamais enregistré."
        raise RuntimeError
    assert version_now(week) == start + 1
    with transaction(factory_of(week)) as session:
        session.scalar(select(Item).order_by(Item.id).limit(1)).summary = "Résumé revu."  # the same value: no change
    assert version_now(week) == start + 1



def test_the_cache_reads_the_version_the_sessions_write(week, tmp_path):
    """The page cache reads the version through a bare driver connection: the same number as
    the sessions see, and None (Flask then answers with its error page) when the database
    cannot answer."""
    engine = factory_of(week).kw["bind"]
    assert archive_version.read(engine) == version_now(week)
    with transaction(factory_of(week)) as session:
        session.scalar(select(Item).order_by(Item.id).limit(1)).summary = "Résumé revu encore."
    assert archive_version.read(engine) == version_now(week)
    garbage = tmp_path / "pas-une-base.db"
    garbage.write_bytes(b"ceci n'est pas une base SQLite" * 100)
    assert archive_version.read(make_engine(Settings.from_env({"VEILLE_HOME": str(tmp_path),
                                                               "VEILLE_DATABASE_URL": f"sqlite:///{garbage}"}))) is None

