"""`veille bulletin build|render|send`."""
from __future__ import annotations

import errno
import functools
import sys
from datetime import date
from pathlib import Path

from ..catalog import load_catalog
from ..commandline import UsageError, iso_date, open_archive, print_table
from ..config import Settings
from ..plural import count
from .kinds import DAILY, WEEKLY
from .printing import french, say
from .subscriber_commands import find_subscriber

# The database, the renderers (Jinja, WeasyPrint) and SMTP are imported by the commands that
# use them, so that `veille --help` does not wait for them.

KINDS = (DAILY, WEEKLY)
WRITE_ERRORS = {errno.ENOENT: "dossier introuvable", errno.EACCES: "permission refusée",
                errno.EISDIR: "c'est un dossier", errno.ENOSPC: "disque plein", errno.EROFS: "disque en lecture seule"}
EXIT_PENDING = 1


def register(commands) -> None:
    bulletin = commands.add_parser("bulletin", help="bulletins quotidiens et récapitulatifs hebdomadaires")
    actions = bulletin.add_subparsers(title="actions", metavar="ACTION", required=True)

    build_cmd = actions.add_parser("build", help="construire l'édition (ou afficher celle déjà construite)")
    _kind_and_date(build_cmd, required=False)
    build_cmd.add_argument("--rebuild", action="store_true",
                           help="reconstruire l'édition à partir de l'archive (tant qu'elle n'a pas été envoyée)")
    build_cmd.set_defaults(func=cmd_build)

    render_cmd = actions.add_parser("render", help="produire une édition en HTML, texte ou PDF")
    _kind_and_date(render_cmd, required=True)
    render_cmd.add_argument("--subscriber", metavar="ADRESSE", help="l'édition telle que cet abonné la reçoit")
    render_cmd.add_argument("--format", choices=("html", "text", "pdf"), required=True,
                            help="html (le courriel), text (sa version texte) ou pdf")
    render_cmd.add_argument("-o", "--output", metavar="FICHIER", type=Path, help="fichier de sortie (sinon la sortie standard)")
    render_cmd.set_defaults(func=cmd_render)

    send_cmd = actions.add_parser("send", help="envoyer l'édition aux abonnés (reprend un envoi interrompu)")
    _kind_and_date(send_cmd, required=False)
    send_cmd.set_defaults(func=cmd_send)


def _kind_and_date(parser, required: bool) -> None:
    parser.add_argument("kind", choices=KINDS, metavar="daily|weekly",
                        help="daily : l'édition quotidienne ; weekly : le récapitulatif de la semaine")
    parser.add_argument("--date", type=iso_date, metavar="AAAA-MM-JJ", required=required,
                        help="le jour de l'édition (pour weekly : un jour de la semaine)" +
                             ("" if required else " ; par défaut aujourd'hui, ou la semaine due pour weekly"))


def _day(settings: Settings, args, now) -> date:
    from .build import due_week

    if args.date:
        return args.date
    if args.kind == DAILY:
        return now.astimezone(settings.timezone).date()
    return due_week(now, settings.timezone, settings.weekly_weekday, settings.weekly_time)


def _build(settings: Settings, factory, args, now, rebuild: bool = False):
    from ..db import transaction
    from .editions import EditionError, build

    catalog = load_catalog(settings.feeds_path)
    try:
        with transaction(factory) as session:
            edition, built = build(session, args.kind, _day(settings, args, now), catalog, settings.timezone, now,
                                   rebuild)
    except EditionError as exc:
        raise UsageError(str(exc)) from None
    if built:  # the web serves this file: no reader waits for the rendering
        _prepare_pdf(settings, edition)
    return edition, built


def _prepare_pdf(settings: Settings, edition) -> None:
    from .pdfcache import prepare

    try:
        prepare(settings, edition)
    except Exception as exc:  # the edition stands; the site renders the PDF when first asked
        say(f"attention : PDF de l'édition non préparé ({exc.__class__.__name__} : {exc}) ; "
            "le site le produira à la première demande.", error=True)


@french
def cmd_build(settings: Settings, args) -> int:
    from ..crawl import utcnow
    from .editions import agreed, content_of
    from .render import reading

    factory = open_archive(settings)
    now = utcnow()
    edition, built = _build(settings, factory, args, now, args.rebuild)
    content = content_of(edition)
    tz = settings.timezone
    when = edition.built_at.astimezone(tz).strftime("%d/%m/%Y à %H:%M")
    state = ("reconstruit" if args.rebuild else "construit") if built else "déjà construit"
    say(f"{content.title} : {agreed(content.kind, state)} le {when}")
    say(f"Articles arrivés du {edition.window_start.astimezone(tz):%d/%m/%Y %H:%M} "
        f"au {edition.window_end.astimezone(tz):%d/%m/%Y %H:%M} ({tz.key})")
    if content.jo_line:
        say(content.jo_line)
    say()
    view = reading(content)
    if content.kind == DAILY:
        rows = [(section.label, str(sum(len(g.items) for g in section.groups))) for section in view.sections]
        print_table(("catégorie", "articles"), rows)
    else:
        print_table(("rubrique", "articles"), [(group.label, str(len(group.items))) for group in view.groups])
    say(f"\nTotal : {view.total} article{'s' if view.total > 1 else ''}.")
    if not built:
        say("(Reconstruction à partir de l'archive : --rebuild.)")
    return 0


@french
def cmd_render(settings: Settings, args) -> int:
    from .editions import content_of, find
    from .render import Links, Reader, email_html, email_text, pdf, reading

    factory = open_archive(settings)
    links = Links(settings.base_url)
    with factory() as session:
        edition = find(session, args.kind, args.date)
        if edition is None:
            raise UsageError(_not_built(session, settings, args.kind, args.date))
        reader = Reader()
        if args.subscriber:
            from ..accounts.organisations import licensed_members
            from ..crawl import utcnow
            from .subscribers import gets_full_bulletin

            subscriber = find_subscriber(session, args.subscriber)
            members = licensed_members(session, utcnow().astimezone(settings.timezone).date())
            reader = Reader(subscriber.email, tuple(subscriber.topics), subscriber.token,
                            full=gets_full_bulletin(subscriber, members))
    view = reading(content_of(edition), reader)
    if args.format == "pdf":
        data = pdf(view, links, settings.mail_from_name)
    else:
        data = (email_html if args.format == "html" else email_text)(view, links, settings.mail_from_name).encode("utf-8")
    if args.output is None:
        if args.format == "pdf" and sys.stdout.isatty():
            raise UsageError("un PDF ne s'affiche pas dans le terminal : indiquez un fichier avec -o FICHIER")
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return 0
    try:
        args.output.write_bytes(data)
    except OSError as exc:
        raise UsageError(f"impossible d'écrire « {args.output} » : "
                         f"{WRITE_ERRORS.get(exc.errno, exc.strerror)}") from None
    say(f"{args.output} : {count(len(data), 'octet écrit')}.", error=True)
    return 0


def _not_built(session, settings: Settings, kind: str, day: date) -> str:
    """Why there is no edition to render, with the command that builds it only when it would work."""
    from ..crawl import utcnow
    from .editions import agreed, describe, edition_day, obstacle

    missing = f"{describe(kind, day)} n'a pas été {agreed(kind, 'construit')}"
    reason = obstacle(session, kind, day, settings.timezone, utcnow())
    if reason:
        return f"{missing} et ne peut pas l'être : {reason}"
    return f"{missing} : veille bulletin build {kind} --date {edition_day(kind, day)}"


@french
def cmd_send(settings: Settings, args) -> int:
    from tqdm import tqdm

    from ..crawl import utcnow
    from .editions import content_of, describe
    from .mail import SmtpFatal
    from .mailsettings import mail_settings
    from .outbox import SendBusy
    from .sending import send_edition

    mail = mail_settings(settings)
    factory = open_archive(settings)
    edition, built = _build(settings, factory, args, utcnow())
    content = content_of(edition)
    if built:
        say(f"{content.title} : édition construite.")
    try:
        with tqdm(total=0, desc="Envoi", unit="message", file=sys.stderr, disable=None) as bar:
            summary = send_edition(settings, factory, mail, edition.id, content,
                                   on_start=lambda total: bar.reset(total=total), on_done=lambda row: bar.update(1),
                                   on_wait=functools.partial(_waiting, settings),
                                   on_defer=functools.partial(_deferred, settings))
    except SendBusy as exc:
        say(f"erreur : {exc} ({describe(content.kind, content.day)}) ; réessayez quand il sera fini.", error=True)
        return EXIT_PENDING
    except SmtpFatal as exc:
        say(f"erreur : envoi arrêté, {exc}. Les messages restent en attente : corrigez VEILLE_SMTP_URL "
            "puis relancez la commande.", error=True)
        return EXIT_PENDING
    if summary.resumed:
        say(f"Reprise : {count(summary.resumed, 'message')} en cours d'envoi lors de l'arrêt précédent, "
            f"{'renvoyé' if summary.resumed < 2 else 'renvoyés'} (un doublon est possible pour chacun).")
    for address, reason in summary.failures:
        say(f"échec : {address} : {reason}", error=True)
    unsubscribed = f"{count(summary.unsubscribed, 'désabonné')} entre-temps, " if summary.unsubscribed else ""
    before = f" ({count(summary.sent_before, 'envoyé')} lors d'un envoi précédent)" if summary.sent_before else ""
    say(f"{content.title} : {count(summary.sent, 'envoyé')}{before}, {count(summary.skipped, 'ignoré')} "
        f"(rien de nouveau), {unsubscribed}{summary.failed} en échec, {summary.pending} en attente.")
    if summary.stopped:
        say(f"erreur : {summary.stopped}. Relancez la commande pour envoyer "
            f"{'le message' if summary.pending < 2 else f'les {summary.pending} messages'} en attente.", error=True)
    return EXIT_PENDING if summary.pending else 0


def _deferred(settings: Settings, waiting) -> None:
    """Said each time the run waits for messages the server refused for now (4xx)."""
    for deferred in waiting:
        say(deferred.said(settings.timezone), error=True)


def _waiting(settings: Settings, reason: str, retry_at, give_up_at) -> None:
    """Said at once, each time the SMTP server cannot be reached: the run waits, it is not stuck."""
    def local(moment) -> str:
        return moment.astimezone(settings.timezone).strftime("%H:%M:%S")
    say(f"Serveur SMTP injoignable ({reason}) : nouvel essai à {local(retry_at)} ; sans réponse d'ici "
        f"{local(give_up_at)}, l'envoi s'arrête et les messages restent en attente pour le prochain envoi "
        "(VEILLE_SMTP_RETRY_PERIOD).", error=True)
