"""IMAP polling against a real Dovecot on loopback, started (and stopped) by the test with a
throwaway configuration and mail directory; includes restarts without duplicates."""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
from imapclient import IMAPClient

from kefu.intake.email.imap import poll
from kefu.intake.models import Mailbox, RawMail
from kefu.intake.tasks import poll_imap_mailboxes
from kefu.tickets.models import Ticket
from tests.factories import MailboxFactory

DOVECOT = Path("/usr/sbin/dovecot")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not DOVECOT.exists(), reason="Debian's dovecot-imapd is not installed (/usr/sbin/dovecot)"),
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Dovecot:
    """One private Dovecot: its own config, runtime and mail directories, on a free port."""

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="kefu-dovecot-"))
        self.dir.chmod(0o755)  # the mail process runs as the mail user and must reach home/
        self.port = _free_port()
        self.process: subprocess.Popen[bytes] | None = None
        root = os.getuid() == 0
        # As root, Dovecot refuses to run mail as root: use nobody. Otherwise everything runs as us.
        uid, gid = (65534, 65534) if root else (os.getuid(), os.getgid())
        (self.dir / "run").mkdir()
        (self.dir / "state").mkdir()
        home = self.dir / "home"
        home.mkdir()
        if root:
            os.chown(home, uid, gid)
        (self.dir / "passwd").write_text("agent:{PLAIN}secret\n")
        me = pwd.getpwuid(os.getuid()).pw_name
        users = "" if root else f"default_login_user = {me}\ndefault_internal_user = {me}\n"
        (self.dir / "dovecot.conf").write_text(
            f"""protocols = imap
listen = 127.0.0.1
base_dir = {self.dir}/run
state_dir = {self.dir}/state
log_path = {self.dir}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain
first_valid_uid = 1
{users}passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {self.dir}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={home}/%u
}}
mail_location = maildir:~/Maildir
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
"""
        )

    def start(self) -> None:
        self.process = subprocess.Popen(
            [str(DOVECOT), "-F", "-c", str(self.dir / "dovecot.conf")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.1)
        log = (self.dir / "dovecot.log").read_text() if (self.dir / "dovecot.log").exists() else ""
        raise RuntimeError(f"dovecot did not start: {log[-2000:]}")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None

    def append(self, raw: bytes) -> None:
        with IMAPClient("127.0.0.1", port=self.port, ssl=False, timeout=10) as client:
            client.login("agent", "secret")
            client.append("INBOX", raw)

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture
def dovecot():
    server = Dovecot()
    server.start()
    yield server
    server.cleanup()


def _mail(n: int) -> bytes:
    return (
        f"From: 顾客{n} <c{n}@example.cn>\r\nTo: support@kefu.example\r\nSubject: =?utf-8?B?"
        + __import__("base64").b64encode(f"第{n}封咨询".encode()).decode()
        + f"?=\r\nMessage-ID: <imap{n}@example.cn>\r\nMIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=gb2312\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
    ).encode() + f"请问第{n}个问题。".encode("gbk")


@pytest.fixture
def mailbox(db, dovecot):
    return MailboxFactory(port=dovecot.port)


def test_poll_ingests_new_mail_once_across_restarts(dovecot, mailbox):
    # given: two mails in the mailbox
    dovecot.append(_mail(1))
    dovecot.append(_mail(2))
    # when: polled
    first = poll(mailbox)
    # then: two tickets, decoded from GBK
    assert (first.fetched, first.statuses, first.error) == (2, {"created": 2}, "")
    assert sorted(Ticket.objects.values_list("subject", flat=True)) == ["第1封咨询", "第2封咨询"]
    # when: the server restarts, one more mail arrives, and kefu polls with the stored state
    dovecot.stop()
    dovecot.start()
    dovecot.append(_mail(3))
    again = poll(Mailbox.objects.get(pk=mailbox.pk))
    # then: only the new mail is fetched
    assert (again.fetched, again.statuses) == (1, {"created": 1})
    assert Ticket.objects.count() == 3
    # when: kefu lost its UID state (a crash before saving it) and reads everything again
    Mailbox.objects.filter(pk=mailbox.pk).update(last_uid=0)
    replay = poll(Mailbox.objects.get(pk=mailbox.pk))
    # then: the Message-IDs make every one a duplicate; nothing new is created
    assert replay.statuses == {"duplicate": 3}
    assert Ticket.objects.count() == 3
    assert RawMail.objects.filter(source="imap").count() == 6


def test_poll_records_a_login_failure(dovecot, mailbox):
    Mailbox.objects.filter(pk=mailbox.pk).update(password="wrong")
    result = poll(Mailbox.objects.get(pk=mailbox.pk))
    assert result.fetched == 0
    assert "LoginError" in result.error or "authentication" in result.error.lower()
    assert Mailbox.objects.get(pk=mailbox.pk).last_error == result.error


def test_sweeper_polls_due_mailboxes(dovecot, mailbox):
    from kefu.core import clock

    dovecot.append(_mail(7))
    # when: the sweeper runs (jobs run at once in tests)
    assert poll_imap_mailboxes(clock.now()) == 1
    # then: the mail was fetched, and the mailbox is not due again right away
    assert Ticket.objects.filter(subject="第7封咨询").exists()
    assert poll_imap_mailboxes(clock.now()) == 0


def test_the_stored_password_is_encrypted_and_the_poller_still_logs_in(dovecot, mailbox):
    from django.db import connection

    # given: the mailbox saved with its password (the factory's "secret")
    with connection.cursor() as cursor:
        cursor.execute("SELECT password FROM intake_mailbox WHERE id = %s", [mailbox.pk])
        (stored,) = cursor.fetchone()
    # then: the database row holds no plain password,
    assert "secret" not in stored
    assert stored.startswith("kefu-enc:")
    # and the poller, reading it back, logs in to the real server.
    dovecot.append(_mail(5))
    result = poll(Mailbox.objects.get(pk=mailbox.pk))
    assert (result.fetched, result.error) == (1, "")
