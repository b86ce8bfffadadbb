"""Pages that send a link by email: the link's row is committed only once the email has gone."""
from __future__ import annotations

from ..accounts.mails import MailUnavailable
from .context import db, error_page, veille

MAIL_FAILED = ("Le courriel n'a pas pu être envoyé ({reason}). Rien n'a été enregistré : "
               "réessayez plus tard.")


def send_then_commit(send, *args):
    """`send(settings, *args)`, then commit; when the email cannot go, roll back and return the
    French 503 page to answer with (None when all went well)."""
    try:
        send(veille("settings"), *args)
    except MailUnavailable as exc:
        db().rollback()
        return error_page(503, MAIL_FAILED.format(reason=exc))
    db().commit()
    return None
