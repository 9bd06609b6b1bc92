"""Drop the single-column org_id indexes of customers, invoices and allocations.

Every org-scoped query on these tables is served by an index that starts with org_id (the (org, ref) and
(org, number) unique constraints, the (org, name), (org, status, due_date), (org, customer, status) and
(org, invoice) indexes), so these three only cost writes: a FEC import of 230,000 invoices updated them
for nothing. Dropped by name rather than by AlterField, which on SQLite copies the whole table.
"""

import django.db.models.deletion
from django.db import migrations, models

INDEXES = (  # (table, index Django named for the foreign key, on both SQLite and PostgreSQL)
    ("ledger_customer", "ledger_customer_org_id_dfd85ef5"),
    ("ledger_invoice", "ledger_invoice_org_id_7e18e39c"),
    ("ledger_allocation", "ledger_allocation_org_id_ec9eb028"),
)


def _org(**extra):
    return models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE,
                             to="accounts.organisation", verbose_name="organisation", **extra)


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0002_promise_grace_days"),
        ("ledger", "0002_invoice_payee_iban"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(f'DROP INDEX IF EXISTS "{index}"',
                                  reverse_sql=f'CREATE INDEX "{index}" ON "{table}" ("org_id")')
                for table, index in INDEXES
            ],
            state_operations=[
                migrations.AlterField(model_name="allocation", name="org", field=_org()),
                migrations.AlterField(model_name="customer", name="org", field=_org(related_name="customers")),
                migrations.AlterField(model_name="invoice", name="org", field=_org(related_name="invoices")),
            ],
        ),
    ]
