"""The TLS context of an HTTP target's clients: none of the CA certificates loaded for an
``http://`` target (it never speaks TLS), httpx's verifying default for anything else."""

from __future__ import annotations

import ssl

import pytest

from apact.verifier._targets import http_client, tls_for

pytestmark = pytest.mark.anyio


def test_an_http_target_gets_a_context_without_certificates_that_still_verifies() -> None:
    tls = tls_for("http://127.0.0.1:8000/api", trust_env=False)
    assert tls is not None
    assert tls.cert_store_stats()["x509_ca"] == 0  # nothing loaded...
    assert tls.verify_mode == ssl.CERT_REQUIRED and tls.check_hostname  # ...and nothing unchecked
    assert tls_for("HTTP://localhost", trust_env=False) is not None


def test_an_https_target_keeps_the_default_verifying_context() -> None:
    assert tls_for("https://provider.example", trust_env=False) is None
    assert tls_for("https://provider.example", trust_env=True) is None


def test_proxies_in_the_environment_keep_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    assert tls_for("http://127.0.0.1:8000", trust_env=True) is not None
    monkeypatch.setenv("HTTP_PROXY", "https://proxy.example:3128")
    assert tls_for("http://127.0.0.1:8000", trust_env=True) is None  # the proxy may be reached over TLS
    assert tls_for("http://127.0.0.1:8000", trust_env=False) is not None  # proxies ignored anyway


async def test_a_client_uses_the_context_it_is_given() -> None:
    tls = tls_for("http://127.0.0.1:8000", trust_env=False)
    async with http_client(5.0, 1, trust_env=False, tls=tls) as client:
        pool = client._transport._pool  # type: ignore[attr-defined]
        assert pool._ssl_context is tls
