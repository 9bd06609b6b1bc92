import pytest

from relance.core.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("url", "label"), [
    ("/admin/legal/ratehalfyear/", "taux légal, autres cas"),
    ("/admin/legal/ecbdecision/", "date d&#x27;effet"),
])
def test_the_admin_lists_the_rate_tables_with_french_labels(client, url, label):
    admin = UserFactory(email="admin@relance.fr", is_staff=True, is_superuser=True)
    client.force_login(admin)
    response = client.get(url)
    assert response.status_code == 200
    assert label in response.content.decode().lower()
