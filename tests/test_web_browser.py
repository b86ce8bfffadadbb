"""The bulletin as a reader follows it, in a real browser (Debian's Chromium driven by Playwright):
from the email to the edition, the item page, the PDF download and the unsubscribe button, by
keyboard too; every page in French with its landmarks; the print view without the navigation."""
import shutil
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from tests.livesite import LiveSite, free_port, self_signed
from tests.test_bulletin_build import week  # noqa: F401  (fixture)
from tests.test_bulletin_mail import AGENT, SmtpSink, send, subscribe
from veille.bulletins.models import Subscriber

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=(
    "Chromium absent : `make test` l'installe (apt-get install chromium) ; ces tests pilotent un vrai navigateur"))
# Without these, Chromium keeps calling home, which a closed network refuses.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="fr-FR", accept_downloads=True, ignore_https_errors=True)  # self-signed
    yield context.new_page()
    context.close()


@pytest.fixture
def mailed(week, monkeypatch, tmp_path):
    """The daily bulletin of 29 March 2017 sent to AGENT, with links to the site served here over
    HTTPS (unsubscribe links must be https)."""
    port = free_port()
    monkeypatch.setenv("VEILLE_BASE_URL", f"https://127.0.0.1:{port}")
    with SmtpSink() as sink, LiveSite(port, tls=self_signed(tmp_path)) as site:
        monkeypatch.setenv("VEILLE_SMTP_URL", sink.url)
        subscribe(week, (AGENT,))
        result = send(week)
        assert result.code == 0, result.err
        [message] = sink.inbox.to(AGENT)
        site.message = message_from_bytes(message.as_bytes(), policy=policy.default)
        yield site


def html_part(message) -> BeautifulSoup:
    return BeautifulSoup(message.get_body(("html",)).get_content(), "html.parser")


def assert_accessible_french_page(page) -> None:
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.locator("h1").count() == 1
    assert page.get_by_role("main").count() == 1
    assert page.get_by_role("navigation").count() >= 1
    for image in page.locator("img").all():
        assert image.get_attribute("alt") is not None


def test_from_the_email_to_the_edition_the_item_and_the_pdf(mailed, page, tmp_path):
    online = html_part(mailed.message).find("a", string="Version en ligne")["href"]
    assert online == mailed.url + "/bulletins/quotidien/2017-03-29"
    page.goto(online)
    assert page.locator("h1").inner_text() == "L'actualité du mercredi 29 mars 2017"
    assert_accessible_french_page(page)

    page.get_by_role("link", name="Guide des marchés publics innovants").click()
    page.wait_for_url("**/articles/*")
    assert page.locator("h1").inner_text() == "Guide des marchés publics innovants"
    assert page.get_by_text("DG Trésor - 28 mars 2017").is_visible()
    assert_accessible_french_page(page)

    page.go_back()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Télécharger le PDF").click()
    download = download_info.value
    assert download.suggested_filename == "veille-quotidien-2017-03-29.pdf"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF-")


def test_unsubscribe_from_the_email_by_keyboard(mailed, page, week):
    target = mailed.message["List-Unsubscribe"].split(",")[0].strip().strip("<>")
    assert target.startswith(mailed.url + "/desabonnement/")
    page.goto(target)
    assert_accessible_french_page(page)
    page.keyboard.press("Tab")
    assert page.locator(":focus").inner_text() == "Aller au contenu"  # the first stop skips the navigation
    button = page.get_by_role("button", name="Me désabonner")
    button.focus()
    page.keyboard.press("Enter")
    assert page.get_by_role("status").inner_text() == \
        "C'est fait\xa0: l'adresse a••••@mairie-exemple.fr ne recevra plus les bulletins."  # French spacing
    with week.session() as session:
        assert session.scalar(select(Subscriber.disabled_at).where(Subscriber.email == AGENT)) is not None


def test_print_view_leaves_out_the_navigation(mailed, page):
    page.goto(mailed.url + "/bulletins/quotidien/2017-03-29")
    assert page.get_by_role("link", name="Tous les bulletins").is_visible()
    page.emulate_media(media="print")
    assert not page.get_by_role("link", name="Tous les bulletins").is_visible()
    assert not page.get_by_role("link", name="Télécharger le PDF").is_visible()
    assert page.locator("h1").is_visible()


def test_error_pages_are_french_and_lead_home(mailed, page):
    response = page.goto(mailed.url + "/articles/inconnu")
    assert response.status == 404
    assert page.locator("h1").inner_text() == "Page introuvable"
    assert_accessible_french_page(page)
    page.get_by_role("link", name="Retour à l'accueil").click()
    assert page.locator("h1").inner_text() == "Veille juridique et professionnelle"


CONTRAST = """() => {
  const channel = c => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
  const rgb = text => text.match(/[\\d.]+/g).map(Number);
  const luminance = ([r, g, b]) => 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  const background = element => {
    for (let e = element; e; e = e.parentElement) {
      const color = rgb(getComputedStyle(e).backgroundColor);
      if (color.length < 4 || color[3] > 0) return color;
    }
    return [255, 255, 255];
  };
  const worst = [];
  for (const element of document.querySelectorAll("body *")) {
    const own = [...element.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (!own || !element.getClientRects().length) continue;
    const a = luminance(rgb(getComputedStyle(element).color)), b = luminance(background(element));
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    if (ratio < 4.5) worst.push(element.tagName + " " + element.textContent.trim().slice(0, 40) + " " + ratio.toFixed(2));
  }
  return worst;
}"""


@pytest.mark.parametrize("path", ["/", "/bulletins/", "/bulletins/quotidien/2017-03-29",
                                  "/bulletins/hebdomadaire/2017-03-27", "/articles/inconnu"])
def test_text_contrast_meets_wcag_aa(mailed, page, path):
    page.goto(mailed.url + path)
    assert page.evaluate(CONTRAST) == []  # every text at least 4.5:1 against its background
