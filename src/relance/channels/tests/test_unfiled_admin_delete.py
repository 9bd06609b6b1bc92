"""An unfiled reply is never deleted from the admin: its row is what stops a mail read again from the mailbox
from being kept (and filed) a second time."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from relance.accounts.models import User
from relance.channels.models import UnfiledReply

pytestmark = pytest.mark.django_db
CHANGELIST = "admin:channels_unfiledreply_changelist"


@pytest.fixture
def ops(db):
    return User.objects.create_superuser("ops@relance.example", "x")


@pytest.fixture
def unfiled(org):
    return UnfiledReply.objects.create(mailbox_org=org, reason=UnfiledReply.Reason.UNKNOWN_SENDER,
                                       day=date(2025, 3, 17), message_id="<r1@client.example>",
                                       from_address="claire@boulangerie.example", subject="Re: facture")


def test_the_changelist_offers_no_delete_action_even_to_a_superuser(client, ops, unfiled):
    client.force_login(ops)
    page = client.get(reverse(CHANGELIST))
    assert page.status_code == 200
    assert "delete_selected" not in page.text and "ignore_action" in page.text


def test_posting_the_delete_bulk_action_leaves_the_reply_in_place(client, ops, unfiled):
    client.force_login(ops)
    client.post(reverse(CHANGELIST), {"action": "delete_selected", ACTION_CHECKBOX_NAME: [unfiled.pk],
                                      "post": "yes"})
    assert UnfiledReply.objects.filter(pk=unfiled.pk).exists()


def test_the_delete_page_is_refused(client, ops, unfiled):
    client.force_login(ops)
    response = client.post(reverse("admin:channels_unfiledreply_delete", args=[unfiled.pk]), {"post": "yes"})
    assert response.status_code == 403
    assert UnfiledReply.objects.filter(pk=unfiled.pk).exists()
