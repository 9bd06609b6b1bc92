"""The demo reads right to a French finance team: titles, roles, legal forms, public buyers, phone zones,
payment terms and business days. The oracles (first names, zones, prefectures) are written out here."""

from __future__ import annotations

import re
from datetime import date
from functools import cache
from random import Random

import phonenumbers

from relance.core.dates import is_business_day
from relance.demo import names
from relance.demo.generator import (
    CustomerPlan,
    DemoParams,
    customer_plans,
    landline_for,
    landline_zone,
    with_de,
)

TODAY = date(2025, 6, 16)
FEMALE = {"Camille", "Sophie", "Claire", "Émilie", "Laura", "Céline", "Aurélie", "Julie", "Marion", "Élodie",
          "Nathalie", "Isabelle", "Sandrine", "Nadia", "Inès", "Hélène", "Chloé", "Manon", "Anne", "Léa"}
MALE = {"Julien", "Nicolas", "Thomas", "Antoine", "Mathieu", "Pierre", "Sébastien", "Romain", "Guillaume",
        "Maxime", "François", "Olivier", "Karim", "Mehdi", "Yann", "Benoît", "Vincent", "Laurent", "Damien",
        "Stéphane"}
FEMININE_ROLE = re.compile(r"\b(Gérante|Présidente|Directrice|Assistante|Chargée|administrative)\b")
MASCULINE_ROLE = re.compile(r"\b(Gérant|Président|Directeur|Assistant|Chargé|administratif)\b")
HEAD_ROLE_FORMS = {"Gérant": {"SARL", "EURL", "SELARL"}, "Président": {"SAS", "SASU", "SELAS"},
                   "Directeur général": {"SA"}, "Directrice générale": {"SA"}}
# Landline zones by department (ARCEP): 01 Île-de-France, 02 north-west, 03 north-east, 05 south-west, 04 the rest.
ZONES = {"1": {"75", "77", "78", "91", "92", "93", "94", "95"},
         "2": {"14", "18", "22", "27", "28", "29", "35", "36", "37", "41", "44", "45", "49", "50", "53", "56", "61",
               "72", "76", "85"},
         "3": {"02", "08", "10", "21", "25", "39", "51", "52", "54", "55", "57", "58", "59", "60", "62", "67", "68",
               "70", "71", "80", "88", "89", "90"},
         "5": {"09", "12", "16", "17", "19", "23", "24", "31", "32", "33", "40", "46", "47", "64", "65", "79", "81",
               "82", "86", "87"}}
NOT_A_PREFECTURE = {"Villeurbanne", "Vénissieux", "Paris", "Boulogne-Billancourt", "Montreuil", "Aix-en-Provence",
                    "Brest", "Reims", "Strasbourg", "Mulhouse"}


def zone_of(postcode: str) -> str:
    return next((zone for zone, departments in ZONES.items() if postcode[:2] in departments), "4")


@cache
def plans() -> tuple[CustomerPlan, ...]:
    """Enough customers for every public-body template and every trade; a few invoices each."""
    return (*customer_plans(DemoParams(today=TODAY, seed=3, customers=400, invoices=2400)),
            *customer_plans(DemoParams(today=date(2024, 12, 31), seed=11, customers=120, invoices=900)))


def companies() -> list[CustomerPlan]:
    return [p for p in plans() if p.kind == "b2b"]


def test_a_consumers_civil_title_agrees_with_their_first_name():
    consumers = [p for p in plans() if p.kind == "b2c"]
    assert len(consumers) > 30
    for plan in consumers:
        title, first, _ = plan.name.split(" ", 2)
        assert (title, first in FEMALE, first in MALE) in {("Mme", True, False), ("M.", False, True)}, plan.name
        assert plan.contacts[0].name == plan.name.split(" ", 1)[1]
    assert {p.name.split()[0] for p in consumers} == {"M.", "Mme"}


def test_a_contacts_role_agrees_with_their_first_name():
    named = [c for p in companies() for c in p.contacts if c.name.split()[0] in FEMALE | MALE]
    assert len(named) > 100
    for contact in named:
        first = contact.name.split()[0]
        wrong = MASCULINE_ROLE if first in FEMALE else FEMININE_ROLE
        assert not wrong.search(contact.role), (contact.name, contact.role)
    assert any(FEMININE_ROLE.search(c.role) for c in named) and any(MASCULINE_ROLE.search(c.role) for c in named)


def test_legal_forms_fit_the_business():
    for plan in companies():
        body, form = plan.name.rsplit(" ", 1)
        assert form in {"SARL", "EURL", "SAS", "SASU", "SA", "SELARL", "SELAS"}, plan.name
        if body.startswith(("Pharmacie", "Clinique vétérinaire")):
            assert form in {"SELARL", "SELAS"}, plan.name  # regulated professions
        elif form.startswith("SEL"):
            raise AssertionError(f"{plan.name}: a professional company form for an ordinary trade")
        if "& Fils" in body:
            assert form not in {"EURL", "SASU"}, plan.name  # several partners, not a single-member company
        if body.split(" ", 1)[0] not in names.BRAND_WORDS:
            assert form != "SA", plan.name  # a corner shop is not a société anonyme
        for contact in plan.contacts:
            for head, forms in HEAD_ROLE_FORMS.items():
                if contact.role.startswith(head):
                    assert form in forms, (plan.name, contact.role)


def test_a_brand_is_one_company_with_one_legal_form():
    forms: dict[str, set[str]] = {}
    for plan in companies():
        body, form = plan.name.rsplit(" ", 1)
        if body.split(" ", 1)[0] in names.BRAND_WORDS:
            forms.setdefault(body, set()).add(form)
    assert len(forms) > 50
    assert all(len(f) == 1 for f in forms.values()), {b: f for b, f in forms.items() if len(f) > 1}


def test_public_buyers_are_named_the_french_way_and_departmental_ones_sit_in_a_prefecture():
    public = [p for p in plans() if p.kind == "public"]
    assert len({p.name.split(" ")[0] for p in public}) >= 6
    for plan in public:
        assert not re.search(r"\bde [AEIOUYÉÈÂ]", plan.name), plan.name  # "d'Angers", not "de Angers"
        if plan.name.startswith(("Conseil départemental", "SDIS")):
            assert re.search(r" (du|des|de la|de l'|d'|de) [A-ZÉ]", plan.name) and "(" not in plan.name, plan.name
            assert plan.city not in NOT_A_PREFECTURE, (plan.name, plan.city)
    assert with_de("Angers") == "d'Angers" and with_de("Orléans") == "d'Orléans" and with_de("Lyon") == "de Lyon"


def test_landlines_are_in_the_zone_of_the_customers_city():
    landlines = [(p, c.phone) for p in plans() for c in p.contacts if c.phone[3] in "12345"]
    assert len(landlines) > 300
    for plan, phone in landlines:
        assert phone[3] == zone_of(plan.postcode), (plan.city, plan.postcode, phone)
        assert phonenumbers.is_valid_number(phonenumbers.parse(phone))
    # the demo company itself is in Lyon
    assert landline_for(Random(1), landline_zone("69002")).startswith("+334")


def test_due_dates_follow_the_customers_terms_and_public_hospitals_get_fifty_days():
    for plan in plans():
        if plan.name.startswith("Centre hospitalier"):
            assert plan.payment_terms_days == 50  # Code de la commande publique R2192-11
        elif plan.kind == "public":
            assert plan.payment_terms_days in (None, 30)
        for invoice in plan.invoices:
            if invoice.kind == "invoice":
                assert (invoice.due_date - invoice.issue_date).days == (plan.payment_terms_days or 30), invoice.number
    assert any(p.name.startswith("Centre hospitalier") and p.invoices for p in plans())


def test_invoices_payments_promises_and_disputes_are_dated_on_business_days():
    documents = [inv for p in plans() for inv in p.invoices]
    payments = [pay for p in plans() for pay in p.payments]
    promises = [pr for p in plans() for pr in p.promises]
    disputes = [d for p in plans() for d in p.disputes]
    assert len(documents) > 3000 and len(payments) > 1500 and len(promises) > 20 and len(disputes) > 10
    assert all(is_business_day(inv.issue_date) for inv in documents)
    assert all(is_business_day(pay.date) for pay in payments)
    assert all(is_business_day(pr.recorded_on) and is_business_day(pr.until) for pr in promises)
    assert all(is_business_day(d.opened_on) for d in disputes)
