"""Every response carries the headers a bureau's security review asks for."""

import pytest

pytestmark = pytest.mark.django_db


def test_pages_carry_csp_nosniff_referrer_policy_and_frame_denial(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
