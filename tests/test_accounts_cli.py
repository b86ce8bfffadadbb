"""`veille org …` and `veille user …` through the real CLI: SIREN checks, licences, IP ranges
(overlaps refused naming both organisations), accounts with a password or an invitation."""
import json

import pytest

from sqlalchemy import select

from veille.accounts.models import User
from veille.accounts.organisations import EXPIRED, PAID, SUSPENDED, TRIAL, Licence, licence_of, one_month_after
from veille.accounts.users import HASHER
from datetime import date


def cli(env, *args):
    result = env.cli(*args)
    result.out, result.err = result.out.replace("\xa0", " "), result.err.replace("\xa0", " ")
    return result


def add_toulouse(env, *extra):
    result = cli(env, "org", "add", "Commune de Toulouse", "--siren", "213105554", "--type", "commune", *extra)
    assert result.code == 0, result.err
    return result


def test_org_add_checks_the_siren_and_says_the_licence(env):
    assert "Organisation ajoutée : Commune de Toulouse (SIREN 213105554, commune) ; licence jusqu'au " \
           "vendredi 31 décembre 2027." in add_toulouse(env, "--licence-jusqu", "2027-12-31").out
    typo = cli(env, "org", "add", "Rennes", "--siren", "213502389", "--type", "commune")
    assert typo.code == 2 and "SIREN invalide « 213502389 » : la clé de contrôle ne correspond pas" in typo.err
    short = cli(env, "org", "add", "Rennes", "--siren", "２１３５０２３８８", "--type", "commune")  # full-width digits
    assert short.code == 2 and "9 chiffres attendus" in short.err
    twice = cli(env, "org", "add", "Toulouse bis", "--siren", "213 105 554", "--type", "commune")
    assert twice.code == 2 and "le SIREN 213105554 est déjà celui de « Commune de Toulouse »" in twice.err
    for wrong in (("--type", "village"), ("--type", "commune", "--essai-jusqu", "2027-01-01", "--licence-jusqu", "2027-01-01")):
        with pytest.raises(SystemExit) as refused:
            cli(env, "org", "add", "X", "--siren", "213502388", *wrong)
        assert refused.value.code == 2


def test_ip_ranges_ipv4_and_ipv6_overlaps_refused_naming_both(env):
    add_toulouse(env)
    assert cli(env, "org", "add", "Commune de Rennes", "--siren", "213502388", "--type", "commune").code == 0
    assert cli(env, "org", "ip", "add", "213105554", "192.0.2.0/24").out.strip() == \
        "Plage 192.0.2.0/24 ajoutée à Commune de Toulouse."
    assert cli(env, "org", "ip", "add", "213105554", "2001:db8:1::/48").code == 0
    clash = cli(env, "org", "ip", "add", "213502388", "192.0.2.128/25")
    assert clash.code == 2
    assert ("la plage 192.0.2.128/25 demandée pour « Commune de Rennes » (SIREN 213502388) recouvre la plage "
            "192.0.2.0/24 de « Commune de Toulouse » (SIREN 213105554)") in clash.err
    clash6 = cli(env, "org", "ip", "add", "213502388", "2001:db8::/32")
    assert clash6.code == 2 and "2001:db8:1::/48 de « Commune de Toulouse »" in clash6.err
    assert cli(env, "org", "ip", "add", "213502388", "192.0.3.0/24").code == 0  # next to it: fine
    host_bits = cli(env, "org", "ip", "add", "213502388", "198.51.100.7/24")
    assert host_bits.code == 2 and "voulez-vous dire 198.51.100.0/24" in host_bits.err
    garbage = cli(env, "org", "ip", "add", "213502388", "pas-une-plage")
    assert garbage.code == 2 and "plage d'adresses invalide « pas-une-plage »" in garbage.err
    missing = cli(env, "org", "ip", "remove", "213502388", "192.0.2.0/24")
    assert missing.code == 2 and "« Commune de Rennes » n'a pas la plage 192.0.2.0/24 (ses plages : 192.0.3.0/24)" in missing.err
    assert cli(env, "org", "ip", "remove", "213105554", "192.0.2.0/24").code == 0
    assert cli(env, "org", "ip", "add", "213502388", "192.0.2.128/25").code == 0  # free now
    unknown = cli(env, "org", "ip", "add", "732829320", "10.0.0.0/8")
    assert unknown.code == 2 and "aucune organisation de SIREN 732829320" in unknown.err
    listed = json.loads(cli(env, "org", "list", "--json").out)
    assert {row["siren"]: row["ip_ranges"] for row in listed} == {
        "213105554": ["2001:db8:1::/48"], "213502388": ["192.0.3.0/24", "192.0.2.128/25"]}


def test_licence_extend_and_suspend(env):
    add_toulouse(env, "--essai-jusqu", "2020-01-31")
    [row] = json.loads(cli(env, "org", "list", "--json").out)
    assert (row["licence"], row["active"], row["until"]) == (EXPIRED, False, "2020-01-31")
    assert cli(env, "org", "licence", "213105554", "--jusqu", "2099-06-30").out.strip() == \
        "Commune de Toulouse : licence jusqu'au mardi 30 juin 2099."
    assert cli(env, "org", "licence", "213105554", "--suspendre").out.strip() == "Commune de Toulouse : suspendue."
    [row] = json.loads(cli(env, "org", "list", "--json").out)
    assert (row["licence"], row["active"], row["suspended"], row["paid_until"]) == (SUSPENDED, False, True, "2099-06-30")
    assert cli(env, "org", "licence", "213105554", "--jusqu", "2099-06-30").code == 0  # lifts the suspension
    assert json.loads(cli(env, "org", "list", "--json").out)[0]["licence"] == PAID
    table = cli(env, "org", "list").out
    assert "213105554  Commune de Toulouse  commune  licence jusqu'au mardi 30 juin 2099" in table


def test_licence_states_and_the_month_of_trial():
    from veille.accounts.models import Organisation

    org = Organisation(name="X", siren="213105554", kind="commune", trial_until=date(2027, 1, 3))
    assert licence_of(org, date(2027, 1, 3)) == Licence(TRIAL, date(2027, 1, 3))
    assert licence_of(org, date(2027, 1, 4)) == Licence(EXPIRED, date(2027, 1, 3))
    assert one_month_after(date(2026, 12, 3)) == date(2027, 1, 3)
    assert one_month_after(date(2027, 1, 31)) == date(2027, 2, 28)
    assert one_month_after(date(2028, 1, 31)) == date(2028, 2, 29)


def test_user_add_with_a_password_or_an_invitation(env, monkeypatch):
    add_toulouse(env, "--licence-jusqu", "2099-12-31")
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("un mot de passe solide\n"))
    added = cli(env, "user", "add", "DGS@Mairie-Toulouse.fr", "--org", "213105554", "--role", "admin", "--password-stdin")
    assert added.code == 0 and added.out.strip() == "Compte ouvert : DGS@mairie-toulouse.fr (admin, Commune de Toulouse)."
    again = cli(env, "user", "add", "dgs@mairie-toulouse.fr", "--org", "213105554")
    assert again.code == 2 and "un compte existe déjà pour l'adresse dgs@mairie-toulouse.fr" in again.err
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("court\n"))
    short = cli(env, "user", "add", "x@mairie-toulouse.fr", "--org", "213105554", "--password-stdin")
    assert short.code == 2 and "mot de passe trop court : 10 caractères au moins" in short.err
    invited = cli(env, "user", "add", "agent@mairie-toulouse.fr", "--org", "213105554")  # no SMTP here
    assert invited.code == 0 and "transmettez ce lien à agent@mairie-toulouse.fr (valable 14 jours) : " \
                                 "http://localhost:5000/invitation/" in invited.err
    with pytest.raises(SystemExit):
        cli(env, "user", "add", "y@mairie-toulouse.fr", "--org", "213105554", "--role", "chef")
    with env.session() as session:
        users = {u.email: u for u in session.scalars(select(User))}
    assert HASHER.verify(users["DGS@mairie-toulouse.fr"].password_hash, "un mot de passe solide")
    assert users["DGS@mairie-toulouse.fr"].member and users["agent@mairie-toulouse.fr"].password_hash is None
    listing = cli(env, "user", "list").out
    assert "DGS@mairie-toulouse.fr    admin    Commune de Toulouse  actif" in listing
    assert "agent@mairie-toulouse.fr  lecteur  Commune de Toulouse  adresse non confirmée" in listing


def test_check_config_says_when_the_secret_key_is_missing(env, monkeypatch):
    env.write_feeds([])
    monkeypatch.delenv("VEILLE_SECRET_KEY", raising=False)
    assert "Comptes désactivés (connexion, inscription, essai, abonnement depuis le site) : VEILLE_SECRET_KEY " \
           "n'est pas défini." in cli(env, "check-config").out
    monkeypatch.setenv("VEILLE_SECRET_KEY", "court")
    short = cli(env, "check-config")
    assert short.code == 2 and "VEILLE_SECRET_KEY : 32 caractères au moins" in short.err
    monkeypatch.setenv("VEILLE_SECRET_KEY", "x" * 40)
    assert "Comptes désactivés" not in cli(env, "check-config").out
