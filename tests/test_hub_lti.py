"""An LTI 1.3 launch into the course hub, from a fake VLE platform on loopback.

The platform has its own RSA key pair and publishes the public key as a JSON Web Key Set on a
loopback port, as Moodle or Canvas do. The hub is set up with ``authenticator = "lti13"``
(deploy/hub, jupyterhub-ltiauthenticator). The test plays the browser: the platform starts the
login (OpenID Connect third-party login), the hub redirects to the platform's authorisation
address with a state and a nonce, and the platform posts back a signed id_token naming the
student in a custom claim. The student is logged in; a token signed with another key, or one
for a person without an account, is refused.

Same requirements as tests/test_hub.py (root, PostgreSQL, the proxy); skipped without them, or
failing when ``MHSW_REQUIRE_HUB=1``. A real VLE was not tried.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "deploy" / "hub"))

import live  # noqa: E402

pytestmark = [pytest.mark.hub, pytest.mark.slow]

CLIENT_ID = "mhsw-course-tool"
CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"


def _key():
    from cryptography.hazmat.primitives.asymmetric import rsa

    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def platform():
    """A fake VLE: publishes its public key (JWKS) on loopback; signs id_tokens."""
    import jwt

    key = _key()
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    jwk.update(kid="platform-key-1", alg="RS256", use="sig")
    body = json.dumps({"keys": [jwk]}).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's name)
            self.send_response(200 if self.path == "/jwks" else 404)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body if self.path == "/jwks" else b"{}")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    yield {"url": url, "issuer": url, "key": key}
    server.shutdown()


@pytest.fixture(scope="module")
def hub(platform):
    missing = live.missing_requirements()
    if missing:
        message = "The LTI hub test needs: " + "; ".join(missing)
        if os.environ.get("MHSW_REQUIRE_HUB") == "1":
            pytest.fail(message + " (MHSW_REQUIRE_HUB=1: it may not be skipped)")
        pytest.skip(message)
    lti = {
        "issuer": platform["issuer"],
        "authorize_url": platform["url"] + "/auth",
        "jwks_endpoint": platform["url"] + "/jwks",
        "client_id": CLIENT_ID,
        "username_key": "custom_username",
    }
    with live.trial_hub(["la"], ["lm"], authenticator="lti13", lti=lti) as trial:
        yield trial


def _launch(hub, platform, username: str, key=None):
    """Play the browser through an LTI 1.3 launch; return (callback response, session)."""
    import jwt
    import requests

    browser = requests.Session()
    started = browser.get(
        f"{hub.url}/hub/lti13/oauth_login",
        params={
            "iss": platform["issuer"],
            "login_hint": "vle-user-42",
            "target_link_uri": f"{hub.url}/hub/",
            "client_id": CLIENT_ID,
            "lti_message_hint": "launch-1",
        },
        allow_redirects=False,
        timeout=60,
    )
    assert started.status_code == 302, started.text[:500]
    location = urllib.parse.urlparse(started.headers["Location"])
    assert location.geturl().startswith(platform["url"] + "/auth")
    query = dict(urllib.parse.parse_qsl(location.query))
    now = int(time.time())
    claims = {
        "iss": platform["issuer"],
        "aud": CLIENT_ID,
        "sub": "vle-user-42",
        "iat": now,
        "exp": now + 300,
        "nonce": query["nonce"],
        CLAIM + "message_type": "LtiResourceLinkRequest",
        CLAIM + "version": "1.3.0",
        CLAIM + "deployment_id": "deployment-1",
        CLAIM + "target_link_uri": f"{hub.url}/hub/",
        CLAIM + "resource_link": {"id": "m3-amhp-assessment", "title": "AMHP assessment"},
        CLAIM + "roles": ["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"],
        CLAIM + "context": {"id": "course-1", "label": "MHSW-M3", "title": "AMHP practice"},
        CLAIM + "custom": {"username": username},
    }
    token = jwt.encode(
        claims, key or platform["key"], algorithm="RS256", headers={"kid": "platform-key-1"}
    )
    answer = browser.post(
        query["redirect_uri"],
        data={"id_token": token, "state": query["state"]},
        allow_redirects=False,
        timeout=60,
    )
    return answer, browser


def test_does_a_launch_from_the_vle_log_the_student_in(hub, platform):
    student = hub.course.students[0]
    answer, browser = _launch(hub, platform, student)
    assert answer.status_code == 302, answer.text[:500]
    assert "jupyterhub-hub-login" in browser.cookies
    home = browser.get(f"{hub.url}/hub/home", allow_redirects=False, timeout=60)
    assert home.status_code == 200 and student in home.text  # logged in, not sent to login


def test_is_a_launch_signed_with_another_key_refused(hub, platform):
    answer, browser = _launch(hub, platform, hub.course.students[0], key=_key())
    assert answer.status_code in (400, 401, 403)
    assert "jupyterhub-hub-login" not in browser.cookies


def test_is_a_launch_for_someone_without_an_account_refused(hub, platform):
    answer, browser = _launch(hub, platform, "someone-else")
    assert answer.status_code in (400, 403)
    assert "jupyterhub-hub-login" not in browser.cookies
