"""One test against a real IMAP server: Debian's dovecot, started on a free local port."""

from __future__ import annotations

import getpass
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from datetime import date
from pathlib import Path

import pytest
from imap_tools import MailBoxUnencrypted

from relance.activity.models import Event
from relance.channels.api import poll_mailbox
from relance.channels.models import Mailbox, SentMessage, UnfiledReply
from relance.channels.replies import mailbox_poll
from relance.channels.tests.smtp import free_port
from relance.core.factories import ContactFactory, CustomerFactory, OrganisationFactory

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
EML = Path(__file__).parent / "eml"
CONFIG = """
base_dir = {root}/run
state_dir = {root}/state
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain
first_valid_uid = 0
default_internal_user = {internal_user}
default_login_user = {login_user}
log_path = {root}/dovecot.log
mail_location = maildir:{mail}/%u
passdb {{
  driver = static
  args = password=s3cret
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={mail}/home/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
}}
"""


@pytest.fixture
def dovecot(tmp_path):
    if not Path(DOVECOT).exists():
        # `make test` installs dovecot-imapd; under CI its absence is a failure, never a silent skip.
        if os.environ.get("CI"):
            pytest.fail("dovecot n'est pas installé (apt-get install dovecot-imapd)")
        pytest.skip("dovecot n'est pas installé (apt-get install dovecot-imapd)")
    port = free_port()
    (tmp_path / "run").mkdir()
    # Dovecot refuses to run its login and mail processes as root: under root (containers) use the
    # package's own users and a mail directory they can reach.
    mail = Path(tempfile.mkdtemp(prefix="relance-imap-"))
    if os.getuid() == 0:
        login_user, internal_user, owner = "dovenull", "dovecot", pwd.getpwnam("dovecot")
        mail.chmod(0o755)
        os.chown(mail, owner.pw_uid, owner.pw_gid)
        uid, gid = owner.pw_uid, owner.pw_gid
    else:
        login_user = internal_user = getpass.getuser()
        uid, gid = os.getuid(), os.getgid()
    conf = tmp_path / "dovecot.conf"
    conf.write_text(CONFIG.format(root=tmp_path, mail=mail, login_user=login_user, internal_user=internal_user,
                                  uid=uid, gid=gid, port=port))
    proc = subprocess.Popen([DOVECOT, "-F", "-c", str(conf)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            if proc.poll() is not None:
                break
            time.sleep(0.1)
    else:
        proc.kill()
    if proc.poll() is not None:
        log = (tmp_path / "dovecot.log").read_text() if (tmp_path / "dovecot.log").exists() else ""
        pytest.fail(f"dovecot did not start: {proc.stdout.read().decode()} {log}")
    yield port
    proc.terminate()
    proc.wait(timeout=10)
    shutil.rmtree(mail, ignore_errors=True)


def test_replies_are_read_from_a_real_imap_mailbox_and_marked_seen(org, dovecot):
    customer = CustomerFactory(org=org)
    ContactFactory(customer=customer, email="helene@creperie.fr")
    SentMessage.objects.create(org=org, customer=customer, channel="email", message_id="<174213.111.222@atelier-durand.fr>",
                               recipients=["helene@creperie.fr"], day=date(2025, 3, 17))
    url = f"imap://relance:s3cret@127.0.0.1:{dovecot}/INBOX"
    with MailBoxUnencrypted("127.0.0.1", port=dovecot).login("relance", "s3cret") as box:
        for name in ("reply_outlook_fr.eml", "bounce_postfix.eml"):
            box.append((EML / name).read_bytes(), "INBOX")
    assert mailbox_poll(today=date(2025, 3, 18), url=url) == 2
    assert set(Event.objects.filter(customer=customer).values_list("type", flat=True)) == {
        "reply_received", "email_bounced"}
    assert mailbox_poll(today=date(2025, 3, 18), url=url) == 0  # already seen


def append(port, user, *names):
    with MailBoxUnencrypted("127.0.0.1", port=port).login(user, "s3cret") as box:
        for name in names:
            box.append((EML / name).read_bytes(), "INBOX")


def test_each_organisations_mailbox_is_filed_only_within_that_organisation(org, other_org, dovecot, settings,
                                                                            monkeypatch, caplog):
    mine, theirs = CustomerFactory(org=other_org), CustomerFactory(org=org)
    for customer in (mine, theirs):
        ContactFactory(customer=customer, email="claire@boulangerie.example")
    ContactFactory(customer=theirs, email="helene@creperie.fr")
    settings.IMAP_URL = f"imap://relance:s3cret@127.0.0.1:{dovecot}/INBOX"
    monkeypatch.setenv("IMAP_URL_CONCURRENT", f"imap://concurrent:s3cret@127.0.0.1:{dovecot}/INBOX")
    monkeypatch.setenv("IMAP_URL_DURAND", f"imap://durand:s3cret@127.0.0.1:{free_port()}/INBOX")  # refused
    Mailbox.objects.create(org=org, url_env="IMAP_URL_DURAND")  # read first, fails: the others are still read
    Mailbox.objects.create(org=other_org, url_env="IMAP_URL_CONCURRENT")
    Mailbox.objects.create(org=OrganisationFactory(), url_env="IMAP_URL_UNSET")
    append(dovecot, "concurrent", "reply_unthreaded.eml", "reply_outlook_fr.eml")  # Hélène: Durand's contact only
    append(dovecot, "relance", "reply_unthreaded.eml")  # the install's box: Claire is known to both
    assert poll_mailbox(today=date(2025, 3, 18)) == 1
    assert Event.objects.get(type="reply_received").customer == mine
    theirs.refresh_from_db()
    assert not theirs.paused and not Event.objects.filter(org=org).exists()
    assert set(UnfiledReply.objects.values_list("mailbox_org", "reason")) == {
        (other_org.pk, UnfiledReply.Reason.UNKNOWN_SENDER), (None, UnfiledReply.Reason.SEVERAL_ORGANISATIONS)}
    assert "could not read the mailbox IMAP_URL_DURAND" in caplog.text
    assert "IMAP_URL_UNSET is not set" in caplog.text and "s3cret" not in caplog.text


def test_without_imap_url_polling_does_nothing(settings):
    settings.IMAP_URL = ""
    assert mailbox_poll(today=date(2025, 3, 18)) == 0
