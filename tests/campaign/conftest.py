"""Fixtures of the campaign tests."""

import pytest

from tests import factories as f


@pytest.fixture
def setup_client(client):
    client.force_login(f.admin())
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client
