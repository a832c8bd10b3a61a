"""An absurd id in a filter is refused with a 400, never an overflow (SQLite's driver raises one past 2**63)."""

import pytest

from tests import factories as f

pytestmark = pytest.mark.django_db

HUGE = "581738406806714006372352"


@pytest.mark.parametrize("url", [
    f"/api/v1/tasks/?parent={HUGE}", f"/api/v1/tasks/?campaign={HUGE}", f"/api/v1/findings/?inspection={HUGE}",
    f"/api/v1/units/?parent={HUGE}", f"/api/v1/sites/?unit={HUGE}",
])
def test_api_filters_refuse_absurd_ids(client, url):
    client.force_login(f.leader())
    assert client.get(url).status_code == 400


@pytest.mark.parametrize("url", [f"/tasks/?parent={HUGE}", f"/inspections/findings/?inspection={HUGE}"])
def test_pages_ignore_absurd_ids_in_filters(client, url):
    f.CampaignFactory()
    client.force_login(f.leader())
    assert client.get(url).status_code == 200
