"""deploy/kubernetes: the manifests validate against Kubernetes' schemas (offline, with
kubernetes-validate) and agree with the code: images, ports, probes, settings, secrets."""

from __future__ import annotations

import ipaddress
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from auth_server.config import AuthSettings
from router_service.config import RouterSettings
from shared.observability import router as observability
from skill_calendar.config import CalendarSettings

REPO = Path(__file__).resolve().parents[2]
BASE = REPO / "deploy/kubernetes"
COMPOSE = yaml.safe_load((REPO / "docker-compose.yml").read_text())["services"]
SETTINGS = {
    "auth-server": AuthSettings,
    "skill-calendar": CalendarSettings,
    "router": RouterSettings,
}


def resource_files(folder: Path = BASE) -> list[Path]:
    """Every file the kustomizations name, depth first."""
    kustomization = yaml.safe_load((folder / "kustomization.yaml").read_text())
    files: list[Path] = []
    for entry in kustomization["resources"]:
        path = folder / entry
        files += resource_files(path) if path.is_dir() else [path]
    return files


RESOURCES = [yaml.safe_load(path.read_text()) for path in resource_files()]


def of_kind(kind: str) -> dict[str, dict]:
    return {r["metadata"]["name"]: r for r in RESOURCES if r["kind"] == kind}


def pod(resource: dict) -> dict:
    return resource["spec"]["template"]["spec"]


def test_every_manifest_validates_strictly_against_the_kubernetes_schemas():
    validator = Path(sys.executable).parent / "kubernetes-validate"
    assert validator.exists(), "kubernetes-validate is a dev dependency: make install"
    files = [str(path) for path in resource_files()]
    result = subprocess.run(
        [str(validator), "--strict", "--quiet", *files], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_three_services_and_nothing_stateful():
    assert set(of_kind("Deployment")) == set(SETTINGS)
    assert set(of_kind("Service")) == set(SETTINGS)
    # PostgreSQL is external and Secrets are referenced, never kept in the repository.
    assert not of_kind("StatefulSet") and not of_kind("Secret")


@pytest.mark.parametrize("name", SETTINGS)
def test_deployment_runs_replicas_of_the_compose_image_with_probes_and_requests(name):
    deployment = of_kind("Deployment")[name]
    assert deployment["spec"]["replicas"] >= 2
    [container] = pod(deployment)["containers"]
    assert container["image"] == COMPOSE[name]["image"]
    port = SETTINGS[name].model_fields["port"].default
    assert container["ports"] == [{"name": "http", "containerPort": port}]
    paths = {route.path for route in observability.routes}
    assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
    assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert {"/readyz", "/healthz"} <= paths
    # /readyz may wait for a pooled connection: the probe waits longer than the pool does.
    pool_wait = SETTINGS[name].model_fields["database_pool_timeout_seconds"].default
    assert container["readinessProbe"]["timeoutSeconds"] > pool_wait
    assert container["livenessProbe"]["timeoutSeconds"] >= 2
    assert {"cpu", "memory"} <= set(container["resources"]["requests"])
    assert pod(deployment)["securityContext"]["runAsNonRoot"] is True
    assert container["securityContext"]["allowPrivilegeEscalation"] is False


@pytest.mark.parametrize("name", SETTINGS)
def test_settings_come_from_a_configmap_and_secret_files_as_in_compose(name):
    deployment = of_kind("Deployment")[name]
    [container] = pod(deployment)["containers"]
    config = of_kind("ConfigMap")[container["envFrom"][0]["configMapRef"]["name"]]
    prefix = SETTINGS[name].model_config["env_prefix"]
    fields = {f"{prefix}{field.upper()}" for field in SETTINGS[name].model_fields}
    assert set(config["data"]) <= fields
    assert {"name": "HARU_SECRETS_DIR", "value": "/run/secrets"} in container["env"]
    [secrets] = [v for v in pod(deployment)["volumes"] if "secret" in v]
    assert secrets["secret"]["secretName"] == name
    mount = next(m for m in container["volumeMounts"] if m["name"] == secrets["name"])
    assert mount["mountPath"] == "/run/secrets"
    # The Secret's keys are the compose secrets of that service (docs/deploy.md makes it).
    docs = (REPO / "docs/deploy.md").read_text()
    command = docs.split(f"create secret generic {name} \\\n", 1)[1].split("\n#", 1)[0]
    command = command.split("kubectl", 1)[0]
    files = set(re.findall(r"--from-file=k8s-secrets/([A-Z_]+)", command))
    assert files == set(COMPOSE[name]["secrets"])
    assert set(config["data"]).isdisjoint(COMPOSE[name]["secrets"])


@pytest.mark.parametrize("name", SETTINGS)
def test_a_migration_job_per_service_sees_only_its_database_url(name):
    job = of_kind("Job")[f"{name}-migrate"]
    [container] = pod(job)["containers"]
    assert container["image"] == COMPOSE[name]["image"]
    assert container["command"] == ["alembic", "-c", "alembic.ini", "upgrade", "head"]
    [secrets] = [v for v in pod(job)["volumes"] if "secret" in v]
    prefix = SETTINGS[name].model_config["env_prefix"]
    assert [item["key"] for item in secrets["secret"]["items"]] == [f"{prefix}DATABASE_URL"]


@pytest.mark.parametrize("name", SETTINGS)
def test_service_hpa_and_pdb_select_the_deployment(name):
    deployment = of_kind("Deployment")[name]
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    service = of_kind("Service")[name]
    assert service["spec"]["selector"].items() <= labels.items()
    assert service["spec"]["ports"][0]["targetPort"] == "http"
    hpa = of_kind("HorizontalPodAutoscaler")[name]
    assert hpa["spec"]["scaleTargetRef"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": name,
    }
    assert hpa["spec"]["minReplicas"] == deployment["spec"]["replicas"] < hpa["spec"]["maxReplicas"]
    pdb = of_kind("PodDisruptionBudget")[name]
    assert pdb["spec"]["selector"]["matchLabels"].items() <= labels.items()
    assert pdb["spec"]["minAvailable"] < deployment["spec"]["replicas"]


def test_in_cluster_urls_name_services_and_their_ports():
    ports = {name: cls.model_fields["port"].default for name, cls in SETTINGS.items()}
    for config in of_kind("ConfigMap").values():
        for value in config["data"].values():
            for name, port in ports.items():
                if value.startswith(f"http://{name}:"):
                    assert value == f"http://{name}:{port}"


@pytest.mark.parametrize("name", ["router", "auth-server"])
def test_public_services_believe_forwarded_headers_from_the_cluster_only(name):
    """Behind the Ingress the connection comes from its pod: X-Forwarded-For is believed
    from the cluster's network, never from everyone (``*``)."""
    prefix = SETTINGS[name].model_config["env_prefix"]
    trusted = of_kind("ConfigMap")[name]["data"][f"{prefix}FORWARDED_ALLOW_IPS"]
    networks = [ipaddress.ip_network(part.strip()) for part in trusted.split(",")]
    assert networks and all(network.is_private for network in networks)
