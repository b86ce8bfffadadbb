"""Entry-into-force dates read from the phrases French legal texts use."""
from datetime import date

import pytest

from veille.effective import add_months, find_effective_date, french_date

JO = date(2017, 3, 29)


@pytest.mark.parametrize("text, published, expected", [
    ("Le présent décret entre en vigueur le 1er janvier 2022.", JO, date(2022, 1, 1)),
    ("Les dispositions du présent arrêté entrent en vigueur le lendemain de sa publication au Journal "
     "officiel de la République française.", JO, date(2017, 3, 30)),
    ("Les dispositions du présent décret s'appliquent à compter du 1er juillet 2021.", JO, date(2021, 7, 1)),
    ("à compter du 1er juillet 2021", None, date(2021, 7, 1)),
    ("Le présent arrêté entre en vigueur le premier jour du mois suivant celui de sa publication.",
     JO, date(2017, 4, 1)),
    ("Le présent arrêté entre en vigueur le premier jour du mois suivant celui de sa publication.",
     date(2017, 12, 15), date(2018, 1, 1)),
    ("Entrée en vigueur : le texte entre en vigueur le lendemain de sa publication.", JO, date(2017, 3, 30)),
    ("ENTREE EN VIGUEUR : le 15 aout 2019.", None, date(2019, 8, 15)),
    ("Le présent décret entre en vigueur le 1er février 2018.", None, date(2018, 2, 1)),
    ("Le présent décret entrera en vigueur le 31 décembre 2020.", None, date(2020, 12, 31)),
    ("Ces dispositions prennent effet le 1er septembre 2017.", None, date(2017, 9, 1)),
    ("Le présent arrêté entre en vigueur le premier jour du deuxième mois suivant sa publication.",
     JO, date(2017, 5, 1)),
    ("Le présent décret entre en vigueur trois mois après sa publication.", JO, date(2017, 6, 29)),
    ("Il entre en vigueur à l'expiration d'un délai de 15 jours suivant sa publication.", JO, date(2017, 4, 13)),
    ("Le présent décret entre en vigueur un an après sa publication.", date(2016, 2, 29), date(2017, 2, 28)),
    ("Le présent décret entre en vigueur le lendemain du jour de sa publication.", JO, date(2017, 3, 30)),
    ("Le présent décret entre en vigueur dès sa publication.", JO, JO),
    ("Le présent décret entre en vigueur le 1er\u00a0janvier\u00a02022.", None, date(2022, 1, 1)),
    ("Le présent décret entre en vigueur le 1 er juin 2022.", None, date(2022, 6, 1)),
    ("Le présent arrêté entre en vigueur le premier janvier 2020.", None, date(2020, 1, 1)),
    # Typographic apostrophes, as pages write them.
    ("Les dispositions du présent décret s\u2019appliquent à compter du 1er juillet 2021.", None, date(2021, 7, 1)),
    ("Les dispositions du présent décret s`appliquent à compter du 1er juillet 2021.", None, date(2021, 7, 1)),
    ("Les dispositions du présent décret s\u02bcappliquent à compter du 1er juillet 2021.", None, date(2021, 7, 1)),
    # Two readings in one clause: the first one written wins.
    ("Le présent décret entre en vigueur le lendemain de sa publication et vise les contrats conclus "
     "après le 1er janvier 2017.", JO, date(2017, 3, 30)),
    ("Le présent décret entre en vigueur le 1er mai 2017, et non le lendemain de sa publication.",
     JO, date(2017, 5, 1)),
    # A weak phrase gives way to "entre en vigueur", wherever it is.
    ("Les articles 1er et 2 s'appliquent à compter du 1er mars 2017. "
     "Le présent décret entre en vigueur le 1er avril 2017.", None, date(2017, 4, 1)),
    # Nothing clear: None.
    ("Le présent décret entre en vigueur à une date fixée par décret et au plus tard le 1er janvier 2023.",
     JO, None),
    ("Le ministre de l'intérieur est chargé de l'exécution du présent décret, qui sera publié au Journal "
     "officiel de la République française.", JO, None),
    ("Le présent décret entre en vigueur le lendemain de sa publication.", None, None),
    ("Le présent décret entre en vigueur le 31 février 2022.", None, None),
    ("Le présent décret entre en vigueur le 1er janvier 2999.", None, None),
    ("Entrée en vigueur : immédiate.", JO, None),
    ("Vu le décret n° 2016-1048 du 1er août 2016 ;", JO, None),
    ("", JO, None),
])
def test_find_effective_date(text, published, expected):
    assert find_effective_date(text, published) == expected


def test_the_sentence_ends_the_search():
    text = "Le présent décret entre en vigueur selon les modalités ci-dessous. Le 1er janvier 2022, rien."
    assert find_effective_date(text, JO) is None


@pytest.mark.parametrize("text, expected", [
    ("JORF n°0075 du 29 mars 2017", date(2017, 3, 29)),
    ("JORF n°0153 du 1er juillet 2017", date(2017, 7, 1)),
    ("publié le 3 Août 2021 au JO", date(2021, 8, 3)),
    ("JORF n°0153", None),
    ("", None),
])
def test_french_date(text, expected):
    assert french_date(text) == expected


def test_add_months_clamps_to_the_end_of_the_month():
    assert add_months(date(2017, 3, 31), 1) == date(2017, 4, 30)
    assert add_months(date(2017, 11, 30), 3) == date(2018, 2, 28)
    assert add_months(date(2017, 1, 15), 12) == date(2018, 1, 15)


def test_only_ascii_digits_count():
    assert find_effective_date("Le présent décret entre en vigueur le ١٥ janvier ٢٠٢٧.", date(2026, 3, 1)) is None
    assert find_effective_date("Le présent arrêté entre en vigueur ٣٠ jours après sa publication.",
                               date(2026, 3, 1)) is None
