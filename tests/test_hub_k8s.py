"""The Kubernetes configuration (deploy/k8s/): valid, linted YAML holding the keys we rely on.

It cannot be run here (no cluster), so these tests check what can be checked on paper: that
yamllint passes, and that the Zero to JupyterHub values keep the choices docs/deploy-hub.md
describes (PostgreSQL hub database, LTI 1.3 login, a formgrader service and marker role per
module, the shared exchange volume, culling, memory sized from the measurements).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

K8S = Path(__file__).resolve().parents[1] / "deploy" / "k8s"
LINT_RULES = (
    "{extends: default, rules: {line-length: {max: 130}, document-start: disable, "
    "truthy: {check-keys: false}}}"
)


@pytest.fixture(scope="module")
def values() -> dict:
    return yaml.safe_load((K8S / "config.yaml").read_text(encoding="utf-8"))


def test_does_yamllint_pass_on_the_kubernetes_files():
    pytest.importorskip("yamllint", reason='yamllint is not installed: pip install -e ".[dev]"')
    files = sorted(str(p) for p in K8S.glob("*.yaml"))
    done = subprocess.run(
        [sys.executable, "-m", "yamllint", "-f", "parsable", "-d", LINT_RULES, *files],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0 and not done.stdout.strip(), done.stdout + done.stderr


def test_is_the_hub_database_postgresql_and_login_lti(values):
    assert values["hub"]["db"]["type"] == "postgres"
    assert values["hub"]["db"]["url"].startswith("postgresql")
    config = values["hub"]["config"]
    assert config["JupyterHub"]["authenticator_class"].endswith("LTI13Authenticator")
    for key in ("issuer", "authorize_url", "jwks_endpoint", "client_id", "username_key"):
        assert key in config["LTI13Authenticator"], key


def test_does_each_module_have_a_formgrader_service_and_a_marker_role(values):
    services = values["hub"]["services"]
    roles = values["hub"]["loadRoles"]
    assert len(services) >= 2
    for course_id, service in services.items():
        assert service["url"].startswith("http://formgrader-" + course_id)
        assert "api_token" in service
        role = roles[f"formgrade-{course_id}"]
        assert role["groups"] == [f"formgrade-{course_id}"]
        assert f"access:services!service={course_id}" in role["scopes"]
        assert f"read:services!service={course_id}" in role["scopes"]  # nbgrader issue 1831


def test_is_the_exchange_shared_and_are_idle_servers_culled(values):
    storage = values["singleuser"]["storage"]
    mounts = {m["name"]: m["mountPath"] for m in storage["extraVolumeMounts"]}
    assert mounts["nbgrader-exchange"] == "/srv/nbgrader/exchange"
    claims = {v["name"]: v["persistentVolumeClaim"]["claimName"] for v in storage["extraVolumes"]}
    assert claims["nbgrader-exchange"] == "nbgrader-exchange"
    assert values["cull"]["enabled"] is True and values["cull"]["timeout"] <= 3600
    assert values["singleuser"]["extraEnv"]["JUPYTER_CONFIG_PATH"].endswith("/student")


def test_is_student_memory_sized_from_the_measurements(values):
    memory = values["singleuser"]["memory"]
    assert memory["guarantee"] == "300M"  # above the measured ~250 MB per active student
    assert memory["limit"] == "1G"


def test_does_the_formgrader_pod_use_the_service_token_and_the_exchange():
    documents = list(yaml.safe_load_all((K8S / "formgrader.yaml").read_text(encoding="utf-8")))
    kinds = [d["kind"] for d in documents]
    assert kinds == ["PersistentVolumeClaim", "Deployment", "Service"]
    container = documents[1]["spec"]["template"]["spec"]["containers"][0]
    env = {e["name"]: e for e in container["env"]}
    assert env["JUPYTERHUB_SERVICE_NAME"]["value"] == "mhsw-m3"
    assert "secretKeyRef" in env["JUPYTERHUB_API_TOKEN"]["valueFrom"]
    mounts = {m["name"]: m["mountPath"] for m in container["volumeMounts"]}
    assert mounts["nbgrader-exchange"] == "/srv/nbgrader/exchange"
