"""`veille org add|list|licence|ip add|ip remove` and `veille user add|list`."""
from __future__ import annotations

import json
import sys
from contextlib import contextmanager

from ..bulletins.printing import french, say
from ..commandline import UsageError, iso_date, open_archive, print_table
from ..config import Settings
from .kinds import ORGANISATION_KINDS, ROLES


def register(commands) -> None:
    org = commands.add_parser("org", help="organisations abonnées : licences et plages d'adresses IP")
    actions = org.add_subparsers(title="actions", metavar="ACTION", required=True)
    add = actions.add_parser("add", help="ajouter une organisation")
    add.add_argument("name", metavar="NOM", help="nom de l'organisation (exemple : « Commune de Toulouse »)")
    add.add_argument("--siren", required=True, metavar="SIREN", help="numéro SIREN (9 chiffres)")
    add.add_argument("--type", required=True, choices=ORGANISATION_KINDS, dest="kind",
                     help="type : " + ", ".join(ORGANISATION_KINDS))
    add.add_argument("--contact", metavar="ADRESSE", help="adresse électronique du contact")
    licence = add.add_mutually_exclusive_group()
    licence.add_argument("--essai-jusqu", type=iso_date, metavar="AAAA-MM-JJ", dest="trial_until",
                         help="essai gratuit jusqu'à ce jour inclus")
    licence.add_argument("--licence-jusqu", type=iso_date, metavar="AAAA-MM-JJ", dest="paid_until",
                         help="licence payée jusqu'à ce jour inclus")
    add.set_defaults(func=cmd_org_add)

    listing = actions.add_parser("list", help="lister les organisations, leur licence et leurs plages")
    listing.add_argument("--json", action="store_true", help="un tableau JSON")
    listing.set_defaults(func=cmd_org_list)

    licence_cmd = actions.add_parser("licence", help="prolonger ou suspendre la licence d'une organisation")
    licence_cmd.add_argument("siren", metavar="SIREN", help="numéro SIREN de l'organisation")
    change = licence_cmd.add_mutually_exclusive_group(required=True)
    change.add_argument("--jusqu", type=iso_date, metavar="AAAA-MM-JJ", dest="until",
                        help="licence payée jusqu'à ce jour inclus (lève une suspension)")
    change.add_argument("--suspendre", action="store_true", dest="suspend",
                        help="suspendre l'accès (les comptes et leurs réglages sont gardés)")
    licence_cmd.set_defaults(func=cmd_org_licence)

    ip = actions.add_parser("ip", help="plages d'adresses IP d'une organisation")
    ip_actions = ip.add_subparsers(title="actions", metavar="ACTION", required=True)
    for name, func, text in (("add", cmd_ip_add, "ajouter une plage (IPv4 ou IPv6, notation CIDR)"),
                             ("remove", cmd_ip_remove, "retirer une plage")):
        action = ip_actions.add_parser(name, help=text)
        action.add_argument("siren", metavar="SIREN", help="numéro SIREN de l'organisation")
        action.add_argument("cidr", metavar="CIDR", help="plage, exemples : 192.0.2.0/24, 2001:db8::/48")
        action.set_defaults(func=func)

    user = commands.add_parser("user", help="comptes des lecteurs, rédacteurs et administrateurs")
    user_actions = user.add_subparsers(title="actions", metavar="ACTION", required=True)
    user_add = user_actions.add_parser("add", help="ouvrir un compte (sans --password-stdin : invitation par courriel)")
    user_add.add_argument("email", metavar="EMAIL", help="adresse électronique (l'identifiant du compte)")
    user_add.add_argument("--org", required=True, metavar="SIREN", help="SIREN de son organisation")
    user_add.add_argument("--role", choices=ROLES, default="lecteur",
                          help="lecteur (par défaut), editeur (rédaction) ou admin (administration)")
    user_add.add_argument("--password-stdin", action="store_true",
                          help="lire le mot de passe sur l'entrée standard (sinon : lien d'invitation envoyé)")
    user_add.set_defaults(func=cmd_user_add)
    user_list = user_actions.add_parser("list", help="lister les comptes")
    user_list.set_defaults(func=cmd_user_list)


@contextmanager
def _transaction(settings: Settings):
    """A session in one transaction; the accounts' errors become French usage errors."""
    from ..db import transaction
    from .ipranges import RangeError
    from .organisations import OrganisationError
    from .users import UserError

    try:
        with transaction(open_archive(settings)) as session:
            yield session
    except (OrganisationError, RangeError, UserError) as exc:
        raise UsageError(str(exc)) from None


def _licence_text(licence) -> str:
    from .organisations import EXPIRED, PAID, SUSPENDED, TRIAL
    from ..bulletins.wording import long_day

    until = long_day(licence.until) if licence.until else ""
    return {TRIAL: f"essai jusqu'au {until}", PAID: f"licence jusqu'au {until}",
            EXPIRED: f"expirée (dernier jour : {until})", SUSPENDED: "suspendue"}.get(licence.state, "aucune licence")


def _today(settings: Settings):
    from ..crawl import utcnow

    return utcnow().astimezone(settings.timezone).date()


@french
def cmd_org_add(settings: Settings, args) -> int:
    from ..crawl import utcnow
    from . import organisations

    contact = None
    if args.contact:
        from ..bulletins.subscribers import AddressError, normalise_address
        try:
            contact = normalise_address(args.contact)
        except AddressError as exc:
            raise UsageError(f"--contact : {exc}") from None
    with _transaction(settings) as session:
        organisation = organisations.add(session, args.name, args.siren, args.kind, utcnow(), contact_email=contact,
                                         trial_until=args.trial_until, paid_until=args.paid_until)
        licence = organisations.licence_of(organisation, _today(settings))
    say(f"Organisation ajoutée : {organisation.name} (SIREN {organisation.siren}, "
        f"{ORGANISATION_KINDS[organisation.kind]}) ; {_licence_text(licence)}.")
    return 0


@french
def cmd_org_list(settings: Settings, args) -> int:
    from . import organisations

    today = _today(settings)
    with open_archive(settings)() as session:
        rows = []
        for organisation in organisations.all_organisations(session):
            licence = organisations.licence_of(organisation, today)
            rows.append({
                "name": organisation.name, "siren": organisation.siren, "type": organisation.kind,
                "contact_email": organisation.contact_email, "licence": licence.state,
                "active": licence.active, "until": licence.until.isoformat() if licence.until else None,
                "trial_until": organisation.trial_until.isoformat() if organisation.trial_until else None,
                "paid_until": organisation.paid_until.isoformat() if organisation.paid_until else None,
                "suspended": organisation.suspended_at is not None,
                "ip_ranges": [r.cidr for r in organisation.ranges], "members": len(organisation.members),
                "_licence_text": _licence_text(licence)})
    if args.json:
        print(json.dumps([{k: v for k, v in row.items() if not k.startswith("_")} for row in rows],
                         ensure_ascii=False, indent=2))
        return 0
    print_table(("SIREN", "nom", "type", "licence", "membres", "plages IP"),
                [(row["siren"], row["name"], ORGANISATION_KINDS[row["type"]], row["_licence_text"],
                  str(row["members"]), ", ".join(row["ip_ranges"]) or "—") for row in rows])
    return 0


@french
def cmd_org_licence(settings: Settings, args) -> int:
    from ..crawl import utcnow
    from . import organisations

    with _transaction(settings) as session:
        organisation = organisations.find(session, args.siren)
        organisations.set_licence(organisation, utcnow(), until=args.until, suspend=args.suspend)
        licence = organisations.licence_of(organisation, _today(settings))
    say(f"{organisation.name} : {_licence_text(licence)}.")
    return 0


@french
def cmd_ip_add(settings: Settings, args) -> int:
    from . import organisations

    with _transaction(settings) as session:
        organisation = organisations.find(session, args.siren)
        ip_range = organisations.add_range(session, organisation, args.cidr)
    say(f"Plage {ip_range.cidr} ajoutée à {organisation.name}.")
    return 0


@french
def cmd_ip_remove(settings: Settings, args) -> int:
    from . import organisations

    with _transaction(settings) as session:
        organisation = organisations.find(session, args.siren)
        organisations.remove_range(session, organisation, args.cidr)
    say(f"Plage {args.cidr.strip()} retirée de {organisation.name}.")
    return 0


@french
def cmd_user_add(settings: Settings, args) -> int:
    from ..crawl import utcnow
    from . import organisations, users
    from .mails import MailUnavailable, send_invitation
    from .tokens import issue_link

    password = None
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        error = users.password_error(password)
        if error:
            raise UsageError(f"--password-stdin : {error}")
    now = utcnow()
    with _transaction(settings) as session:
        organisation = organisations.find(session, args.org)
        user = users.add(session, args.email, now, organisation=organisation, role=args.role, password=password,
                         verified=password is not None, approved=True)
        token = None if password is not None else issue_link(session, user, "invite", now)
    say(f"Compte ouvert : {user.email} ({args.role}, {organisation.name}).")
    if token is None:
        return 0
    link = f"{settings.base_url}/invitation/{token}"
    try:
        send_invitation(settings, user.email, organisation.name, link)
    except MailUnavailable as exc:
        say(f"Invitation non envoyée ({exc}) : transmettez ce lien à {user.email} (valable 14 jours) : {link}",
            error=True)
        return 0
    say(f"Invitation envoyée à {user.email} : un lien pour choisir son mot de passe (valable 14 jours).")
    return 0


@french
def cmd_user_list(settings: Settings, args) -> int:
    from . import users

    tz = settings.timezone
    with open_archive(settings)() as session:
        rows = []
        for user in users.all_users(session):
            state = "actif" if user.member else ("adresse non confirmée" if not user.verified else
                                                 "en attente d'approbation" if user.organisation_id else "sans organisation")
            rows.append((user.email, user.role, user.organisation.name if user.organisation else "—", state,
                         f"{user.last_login_at.astimezone(tz):%d/%m/%Y %H:%M}" if user.last_login_at else "jamais"))
    print_table(("adresse", "rôle", "organisation", "état", "dernière connexion"), rows)
    return 0
