"""`veille run`: the one process that crawls all day, builds and sends the bulletins and serves
the site, until SIGTERM or SIGINT."""
from __future__ import annotations

import logging
import os
import signal
import socket
import sys
import threading
from pathlib import Path

from ..commandline import open_archive, size_text
from ..config import ConfigError, Settings
from ..numbers import parse_int

EXIT_BUSY = 1
TICK_SECONDS = 60  # VEILLE_TICK_SECONDS: shorter for the tests and the benchmark only
STANDBY_POLL = 5.0  # seconds between two tries of a process in standby
LOCK_CHECK = 15.0  # seconds between two checks that this process still holds the scheduler lock
log = logging.getLogger("veille.service")


def register(commands) -> None:
    from ..web.commands import add_server_options

    run = commands.add_parser("run", help="le service : relève les sources, envoie les bulletins, sert le site")
    add_server_options(run)
    run.add_argument("--no-web", action="store_true", help="sans le site web (servi par un autre processus)")
    run.add_argument("--standby", action="store_true",
                     help="si un autre « veille run » planifie déjà sur cette base, attendre et prendre le relais")
    run.add_argument("--log-format", choices=("text", "json"), default="text",
                     help="journal sur la sortie d'erreur : text (par défaut) ou json (un objet par ligne)")
    run.set_defaults(func=cmd_run)

    backup = commands.add_parser("backup", help="copier l'archive SQLite, même pendant que « veille run » travaille")
    backup.add_argument("file", metavar="FICHIER", type=Path, help="fichier de la copie")
    backup.set_defaults(func=cmd_backup)
    restore = commands.add_parser("restore", help="remplacer l'archive par une copie faite par « veille backup »")
    restore.add_argument("file", metavar="FICHIER", type=Path, help="la copie à restaurer")
    restore.add_argument("--force", action="store_true", help="remplacer une archive qui n'est pas vide")
    restore.set_defaults(func=cmd_restore)


def tick_seconds() -> float:
    text = os.environ.get("VEILLE_TICK_SECONDS")
    if not text:
        return TICK_SECONDS
    value = parse_int(text, minimum=1, maximum=3600)
    if value is None:
        raise ConfigError(f"VEILLE_TICK_SECONDS : nombre de secondes entre 1 et 3600 attendu, pas « {text} »")
    return value


def cmd_run(settings: Settings, args) -> int:
    from ..bulletins.mailsettings import mail_settings
    from ..catalog import load_catalog
    from . import logs, scheduler
    from .jobs import Jobs
    from .lock import scheduler_lock

    tick = tick_seconds()
    logs.configure(args.log_format)
    mail = mail_settings(settings) if settings.sending else None  # a setting that cannot work: refuse to start
    load_catalog(settings.feeds_path)  # feeds.yaml must be right at start-up; later errors keep the last good one
    factory = open_archive(settings)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    lock = scheduler_lock(settings)
    if not _take(lock, settings, args.standby, stop):
        return 0 if stop.is_set() else EXIT_BUSY
    try:
        site = None if args.no_web else _site(settings, args)  # listening before any job starts
        running = scheduler.start(Jobs(settings, factory, mail, stop), tick)
        server = _serve(*site, running, settings, args) if site else None
        log.info("planificateur démarré (pid %d sur l'hôte « %s ») ; base : %s", os.getpid(), socket.gethostname(),
                 settings.database_url)
        if mail is None:
            log.warning("aucun bulletin n'est envoyé par courriel tant que VEILLE_SMTP_URL n'est pas défini "
                        "(les éditions sont construites et publiées sur le site)")
        else:
            log.info("bulletins envoyés par %s, de %s", mail.smtp, mail.sender.address)
        lost = _watch(lock, stop, min(LOCK_CHECK, tick))
        log.info("arrêt demandé : fin des tâches en cours")
        finished = scheduler.stop(running)
        if server is not None:
            server.close()
            server.task_dispatcher.shutdown()
    finally:
        lock.release()
    if not finished:  # a fetch or an SMTP exchange that hangs: what is committed stays, the rest is redone
        log.warning("tâches encore en cours après %d s (%s) : arrêt sans les attendre",
                    scheduler.GRACE_SECONDS, ", ".join(sorted(running.busy)))
        logging.shutdown()
        os._exit(EXIT_BUSY if lost else 0)
    log.info("arrêté proprement")
    return EXIT_BUSY if lost else 0


def _take(lock, settings: Settings, standby: bool, stop: threading.Event) -> bool:
    """True once this process holds the scheduler lock; False when it must not schedule."""
    if lock.acquire():
        return True
    holder = lock.holder()
    who = holder.describe(settings.timezone) if holder else "processus inconnu"
    if not standby:
        print(f"erreur : un autre « veille run » planifie déjà sur cette base ({who}) ; arrêtez-le, "
              "ou lancez celui-ci avec --standby pour qu'il prenne le relais.", file=sys.stderr)
        return False
    log.info("en attente : un autre « veille run » planifie déjà sur cette base (%s) ; relais dès son arrêt", who)
    while not stop.wait(STANDBY_POLL):
        if lock.acquire():
            log.info("relais pris : ce processus planifie désormais")
            return True
    return False


def _watch(lock, stop: threading.Event, every: float) -> bool:
    """Waits for the stop; True when it came because the lock was lost to another process."""
    while not stop.wait(every):
        if not _still_scheduler(lock):
            stop.set()
            return True
    return False


def _still_scheduler(lock) -> bool:
    """False when this process lost the scheduler lock (its PostgreSQL connection died: a server
    restart) and another process took it meanwhile: two schedulers must never run."""
    from sqlalchemy.exc import DBAPIError

    if lock.held():
        return True
    try:
        taken = lock.acquire()
    except DBAPIError as exc:
        log.warning("verrou du planificateur perdu : la base ne répond pas (%s) ; nouvel essai dans %d s",
                    str(exc).splitlines()[0][:200], LOCK_CHECK)
        return True
    if taken:
        log.warning("verrou du planificateur perdu (connexion à la base coupée) puis repris : ce processus planifie toujours")
        return True
    log.error("verrou du planificateur perdu (connexion à la base coupée) et pris par un autre « veille run » : "
              "arrêt de ce processus")
    return False


def _site(settings: Settings, args):
    """The web app and its server, listening (UsageError when it cannot)."""
    from ..web.app import create_app
    from ..web.commands import make_server

    app = create_app(settings)
    return app, make_server(app, args)


def _serve(app, server, running, settings: Settings, args):
    """Serve in a thread of its own; /healthz sees the scheduler."""
    from ..web.commands import site_address

    app.extensions["veille"]["service"] = running
    threading.Thread(target=server.run, name="web", daemon=True).start()
    log.info("site web : %s (liens des bulletins : %s)", site_address(server, args), settings.base_url)
    return server


def cmd_backup(settings: Settings, args) -> int:
    from .backup import backup

    size = backup(settings, args.file)
    print(f"Archive sauvegardée dans {args.file} ({size_text(size)}).")
    return 0


def cmd_restore(settings: Settings, args) -> int:
    from .backup import restore

    counts = restore(settings, args.file, args.force)
    print(f"Archive restaurée depuis {args.file} (articles : {counts['items']}, abonnés : {counts['subscribers']}, "
          f"éditions : {counts['editions']}).")
    print("Lancez « veille reindex » pour reconstruire l'index de recherche.")
    return 0
