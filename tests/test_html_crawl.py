"""List pages end to end: selectors, then the linked articles fetched a few per crawl."""
from sqlalchemy import select

from veille.models import Item

PAGE = """<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>Communiqués</title></head><body>
<main><h1>Communiqués de presse</h1>{blocks}</main></body></html>"""
BLOCK = """<article class="communique"><h2><a href="/communiques/{n}">Communiqué n° {n} sur la dotation globale de fonctionnement</a></h2>
<p class="date">Publié le {n} mars 2017</p><p class="chapo">Résumé du communiqué {n}.</p></article>"""
ARTICLE = """<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"></head><body><nav>Menu</nav>
<article><h1>Communiqué {n}</h1><p>Texte intégral du communiqué {n} : la DGF des communes augmente.</p></article>
<footer>Pied de page</footer></body></html>"""


def page(*numbers: int) -> str:
    return PAGE.format(blocks="\n".join(BLOCK.format(n=n) for n in numbers))


def texts(env) -> dict[str, str]:
    with env.session() as session:
        return {item.url.rsplit("/", 1)[-1]: item.text for item in session.scalars(select(Item))}


def test_list_page_with_article_fetch(env, server):
    server.route("/communiques", page(3, 2, 1), headers={"Content-Type": "text/html; charset=utf-8"})
    for n in range(1, 5):
        server.route(f"/communiques/{n}", ARTICLE.format(n=n), headers={"Content-Type": "text/html"})
    env.write_feeds([{
        "id": "ministere", "name": "Ministère – communiqués", "kind": "html", "url": server.url("/communiques"),
        "selectors": {"item": "article.communique", "title": "h2", "link": "h2 a", "date": "p.date", "summary": "p.chapo"},
        "options": {"fetch_article": True, "max_articles": 2},
    }])
    first = env.cli("crawl")
    assert first.code == 0 and "3 nouveaux" in first.out
    got = texts(env)
    assert "Texte intégral du communiqué 3" in got["3"] and "Texte intégral du communiqué 2" in got["2"]
    assert got["1"] == "Résumé du communiqué 1."  # over the budget of 2 articles this time
    assert "Menu" not in got["3"] and "Pied de page" not in got["3"]

    server.route("/communiques", page(4, 3, 2, 1), headers={"Content-Type": "text/html; charset=utf-8"})
    second = env.cli("crawl")
    assert "1 nouveau," in second.out and "1 mis à jour" in second.out, second.out
    got = texts(env)
    assert all(f"Texte intégral du communiqué {n}" in got[str(n)] for n in (1, 2, 3, 4))
    assert [server.hits[f"/communiques/{n}"] for n in (1, 2, 3, 4)] == [1, 1, 1, 1]
    items = env.cli("items", "--json").out
    assert '"published": "2017-03-03T23:00:00+00:00"' in items  # "Publié le 4 mars 2017", Paris midnight


def test_selectors_that_match_nothing_warn_in_sources(env, server):
    server.route("/liste", page(1, 2), headers={"Content-Type": "text/html"})
    env.write_feeds([{"id": "dgcl", "name": "DGCL", "kind": "html", "url": server.url("/liste"),
                      "selectors": {"item": "article.communique"}}])
    env.cli("crawl")
    server.route("/liste", "<html><body><div class='nouveau-gabarit'>…</div></body></html>",
                 headers={"Content-Type": "text/html"})
    out = env.cli("crawl").out
    assert "0 élément trouvé avec le sélecteur « article.communique »" in out
    sources = env.cli("sources").out
    assert "dernière erreur ou alerte" in sources.splitlines()[0]  # a warning is not an error
    assert "0 élément alors que 2 étaient attendus" in sources


def test_an_unreadable_article_page_is_not_fetched_forever(env, server):
    """A missing page is given up at once; a failing one after three crawls; the others go on."""
    server.route("/communiques", page(3, 2, 1), headers={"Content-Type": "text/html; charset=utf-8"})
    server.route("/communiques/3", ARTICLE.format(n=3), headers={"Content-Type": "text/html"})
    server.route("/communiques/2", "introuvable", status=404)
    server.route("/communiques/1", "panne", status=500)
    env.write_feeds([{
        "id": "ministere", "name": "Ministère – communiqués", "kind": "html", "url": server.url("/communiques"),
        "selectors": {"item": "article.communique", "title": "h2", "link": "h2 a", "summary": "p.chapo"},
        "options": {"fetch_article": True},
    }])
    first = env.cli("crawl")
    assert first.code == 0 and "3 nouveaux" in first.out
    assert "article " + server.url("/communiques/2") in env.cli("sources").out
    for _ in range(4):
        env.cli("crawl", "--source", "ministere")
    assert server.hits["/communiques/2"] == 1  # 404: the page is not there, ask once
    assert server.hits["/communiques/1"] == 3  # 500: asked again twice, then given up
    assert server.hits["/communiques/3"] == 1
    got = texts(env)
    assert got["2"] == "Résumé du communiqué 2." and got["1"] == "Résumé du communiqué 1."
    assert "Texte intégral du communiqué 3" in got["3"]
