"""`veille subscribers add|list|remove|disable|enable`. An address is found whatever its case:
`DGS@mairie-exemple.fr` and `dgs@mairie-exemple.fr` are one subscriber."""
from __future__ import annotations

from contextlib import contextmanager

from ..catalog import load_catalog
from ..commandline import UsageError, open_archive, print_table
from ..config import Settings
from .kinds import FREQUENCIES
from .printing import french, say

FREQUENCY_WORDS = {"daily": "quotidien", "weekly": "hebdomadaire", "both": "quotidien et hebdomadaire"}
DISABLED_BY_ADMIN = "désactivé par un administrateur (veille subscribers disable)"


def register(commands) -> None:
    subscribers = commands.add_parser("subscribers", help="abonnés aux bulletins")
    actions = subscribers.add_subparsers(title="actions", metavar="ACTION", required=True)
    add = actions.add_parser("add", help="abonner une adresse, ou modifier son abonnement")
    add.add_argument("email", metavar="ADRESSE", help="adresse personnelle de l'abonné (son identifiant)")
    add.add_argument("--topics", metavar="SLUG,SLUG", default="", help="rubriques (par défaut : toutes)")
    add.add_argument("--frequency", choices=FREQUENCIES, default="daily",
                     help="daily (quotidien, par défaut), weekly (hebdomadaire) ou both (les deux)")
    add.add_argument("--work-email", metavar="ADRESSE", help="adresse professionnelle")
    add.add_argument("--deliver-to", choices=("personal", "work"),
                     help="où envoyer les bulletins : personal (adresse personnelle, par défaut) ou work (professionnelle)")
    add.set_defaults(func=cmd_add)
    listing = actions.add_parser("list", help="lister les abonnés, leurs adresses et où vont leurs bulletins")
    listing.set_defaults(func=cmd_list)
    for name, func, text in (("remove", cmd_remove, "supprimer un abonné et l'historique de ses envois"),
                             ("disable", cmd_disable, "suspendre l'envoi des bulletins à un abonné"),
                             ("enable", cmd_enable, "reprendre l'envoi des bulletins à un abonné")):
        action = actions.add_parser(name, help=text)
        action.add_argument("email", metavar="ADRESSE", help="adresse personnelle de l'abonné (majuscules indifférentes)")
        action.set_defaults(func=func)


@french
def cmd_add(settings: Settings, args) -> int:
    from ..crawl import utcnow
    from ..db import transaction
    from . import subscribers as store

    catalog = load_catalog(settings.feeds_path)
    topics = [slug.strip() for slug in args.topics.split(",") if slug.strip()]
    unknown = [slug for slug in topics if slug not in catalog.topics]
    if unknown:
        raise UsageError(f"rubrique inconnue : {', '.join(unknown)} (rubriques : {', '.join(catalog.topics)})")
    factory = open_archive(settings)
    with transaction(factory) as session:
        try:
            subscriber, created = store.add(session, args.email, topics, args.frequency, utcnow(),
                                            args.work_email, args.deliver_to)
        except store.AddressError as exc:
            raise UsageError(str(exc)) from None
    labels = ", ".join(catalog.topics[slug].label for slug in subscriber.topics) or "toutes"
    say(f"{'Abonné ajouté' if created else 'Abonnement mis à jour'} : {subscriber.email} "
        f"({FREQUENCY_WORDS[subscriber.frequency]} ; rubriques : {labels})"
        + (f" ; envoi à l'adresse professionnelle {subscriber.work_email}" if subscriber.deliver_to == "work" else ""))
    return 0


@french
def cmd_list(settings: Settings, args) -> int:
    from . import subscribers as store

    factory = open_archive(settings)
    tz = settings.timezone
    with factory() as session:
        rows = []
        for subscriber in store.all_subscribers(session):
            state = "actif"
            if subscriber.disabled_at:
                state = f"désactivé le {subscriber.disabled_at.astimezone(tz):%d/%m/%Y} ({subscriber.disabled_reason})"
            destination = "professionnelle" if subscriber.delivery_address != subscriber.email else "personnelle"
            rows.append((subscriber.email, subscriber.work_email or "—", destination,
                         FREQUENCY_WORDS[subscriber.frequency], ", ".join(subscriber.topics) or "toutes", state))
    print_table(("adresse", "adresse professionnelle", "envoi à", "fréquence", "rubriques", "état"), rows)
    return 0


@french
def cmd_remove(settings: Settings, args) -> int:
    with _subscriber(settings, args.email) as (session, subscriber):
        session.delete(subscriber)
    say(f"Abonné supprimé : {subscriber.email} (avec l'historique de ses envois).")
    return 0


@french
def cmd_disable(settings: Settings, args) -> int:
    from ..crawl import utcnow
    from . import subscribers as store

    with _subscriber(settings, args.email) as (session, subscriber):
        already = subscriber.disabled_at is not None
        if not already:
            store.disable(subscriber, utcnow(), DISABLED_BY_ADMIN)
    say(f"{subscriber.email} : {'déjà désactivé' if already else 'désactivé'}, aucun bulletin ne lui est envoyé "
        f"(« veille subscribers enable {subscriber.email} » pour reprendre).")
    return 0


@french
def cmd_enable(settings: Settings, args) -> int:
    from . import subscribers as store

    with _subscriber(settings, args.email) as (session, subscriber):
        already = subscriber.disabled_at is None
        store.enable(subscriber)
    say(f"{subscriber.email} : {'déjà actif' if already else 'réactivé'}, il reçoit de nouveau les bulletins "
        f"à {subscriber.delivery_address}.")
    return 0


@contextmanager
def _subscriber(settings: Settings, email: str):
    """(session, subscriber) of this address in one transaction, or a UsageError naming it."""
    from ..db import transaction

    with transaction(open_archive(settings)) as session:
        yield session, find_subscriber(session, email)


def find_subscriber(session, email: str):
    """The subscriber of this address, whatever its case; a UsageError when there is none."""
    from . import subscribers as store

    try:
        subscriber = store.find(session, email)
    except store.AddressError as exc:
        raise UsageError(str(exc)) from None
    if subscriber is None:
        raise UsageError(f"abonné inconnu « {store.shown(email)} » (voir « veille subscribers list »)")
    return subscriber
