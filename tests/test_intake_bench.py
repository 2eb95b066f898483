import io
import json

import pytest
from django.core.management import call_command

from kefu.intake.models import RawMail
from kefu.tickets.models import Ticket


@pytest.mark.django_db(transaction=True)
def test_bench_mail_prints_rates_against_the_stdlib_and_leaves_nothing(tmp_path):
    # given: a small corpus
    (tmp_path / "a.eml").write_bytes("From: a@example.cn\r\nSubject: 测试\r\n\r\n你好".encode())
    (tmp_path / "b.eml").write_bytes(b"From: b@example.cn\r\nSubject: x\r\nAuto-Submitted: auto-replied\r\n\r\nhi")
    out = io.StringIO()
    # when: the bench runs
    call_command("bench", "mail", "--corpus", str(tmp_path), "--repeat", "2", stdout=out)
    result = json.loads(out.getvalue())
    # then: rates for ingest, kefu's parse and the stdlib parse of the same files
    assert result["files"] == 2
    assert result["ingest_mails_per_second"] > 0
    assert result["stdlib_parse_mails_per_second"] > 0
    assert result["outcomes_per_round"] == {"auto_reply": 1, "created": 1}
    # and: it rolled everything back
    assert not RawMail.objects.exists()
    assert not Ticket.objects.exists()
