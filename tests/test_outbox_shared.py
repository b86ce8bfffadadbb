"""Several `veille bulletin send` processes on one PostgreSQL archive share an edition's outbox:
each row is claimed with FOR UPDATE SKIP LOCKED, so that every subscriber gets the bulletin
exactly once, whichever sender delivers it (a real aiosmtpd server receives them)."""
import os
import re
import subprocess
import sys
import time
from datetime import datetime, timezone

import pytest
from sqlalchemy import func, select

from tests import databases
from tests.test_bulletin_build import REPO_ROOT, factory_of, week  # noqa: F401  (fixture)
from tests.test_bulletin_mail import SmtpSink
from veille.bulletins import subscribers
from veille.bulletins.models import SENT, OutboxMessage

pytestmark = pytest.mark.skipif(not databases.POSTGRESQL, reason=(
    "PostgreSQL seulement : ces tests tournent dans la passe PostgreSQL de make test "
    "(VEILLE_TEST_DATABASE=postgresql)"))

SUBSCRIBERS = 120


@pytest.mark.parametrize("senders", [2, 4])
def test_concurrent_senders_deliver_each_message_exactly_once(week, monkeypatch, senders):
    with factory_of(week)() as session, session.begin():
        for n in range(SUBSCRIBERS):
            subscribers.add(session, f"agent{n}@mairie-exemple.fr", [], "daily", datetime.now(timezone.utc))
    assert week.cli("bulletin", "build", "daily", "--date", "2017-03-29").code == 0
    with SmtpSink() as sink:
        # Each message takes a little while, so that the senders overlap whatever the machine's load.
        sink.inbox.on_message = lambda count: time.sleep(0.03)
        monkeypatch.setenv("VEILLE_SMTP_URL", sink.url)
        processes = [subprocess.Popen([sys.executable, "-m", "veille.cli", "bulletin", "send", "daily", "--date",
                                       "2017-03-29"], cwd=REPO_ROOT, env=os.environ.copy(),
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                     for _ in range(senders)]
        outputs = [process.communicate(timeout=120) for process in processes]
        received = [rcpt for rcpt, _data in sink.inbox.messages]
    assert [process.returncode for process in processes] == [0] * senders, outputs
    assert sorted(received) == sorted(f"agent{n}@mairie-exemple.fr" for n in range(SUBSCRIBERS))  # each once
    sent = [int(re.search(r"(\d+) envoyés?", out).group(1)) for out, _err in outputs]
    assert sum(sent) == SUBSCRIBERS and sum(1 for figure in sent if figure) >= 2, outputs  # shared, not one alone
    with factory_of(week)() as session:
        assert session.scalar(select(func.count()).where(OutboxMessage.state == SENT)) == SUBSCRIBERS
