"""Every existing organisation gets the "Plan standard" (new ones get it from the on_org_created hook)."""

from django.db import migrations

STEPS = [
    ("pre_due", 10, "due_date", -3, ["email"], False),
    ("reminder_1", 20, "due_date", 7, ["email"], False),
    ("reminder_2", 30, "reminder_1", 14, ["email", "sms"], False),
    ("call", 40, "reminder_2", 7, ["phone"], False),
    ("reminder_3", 50, "reminder_2", 30, ["letter"], False),
    ("formal_notice", 60, "reminder_3", 15, ["registered_letter"], True),
    ("litigation", 70, "formal_notice", 15, ["task"], True),
]


def create_standard_plans(apps, schema_editor):
    Organisation = apps.get_model("accounts", "Organisation")
    Plan = apps.get_model("dunning", "Plan")
    Step = apps.get_model("dunning", "Step")
    for org in Organisation.objects.all():
        plan, created = Plan.objects.get_or_create(org=org, name="Plan standard", defaults={"is_default": True})
        if created:
            Step.objects.bulk_create(
                Step(plan=plan, code=c, order=o, anchor=a, days=d, channels=ch, needs_approval=n, template=c)
                for c, o, a, d, ch, n in STEPS
            )


class Migration(migrations.Migration):
    dependencies = [("dunning", "0001_initial"), ("accounts", "0001_initial")]

    operations = [migrations.RunPython(create_standard_plans, migrations.RunPython.noop)]
