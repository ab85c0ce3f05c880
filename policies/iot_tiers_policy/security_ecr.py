"""Security baseline for ECR repositories: scanned, immutable tags, pruned, not public."""

from __future__ import annotations

from typing import Any, Iterator, Optional

from pulumi_policy import Severity

from ._documents import document_input, is_public, statements
from ._util import as_bool, describe, dig, require_known, resource_policy, stack_policy
from .graph import Graph

REPOSITORY = "aws:ecr/repository:Repository"
REPOSITORY_POLICY = "aws:ecr/repositoryPolicy:RepositoryPolicy"
LIFECYCLE = "aws:ecr/lifecyclePolicy:LifecyclePolicy"
REGISTRY_SCANNING = "aws:ecr/registryScanningConfiguration:RegistryScanningConfiguration"


def _scan_on_push(_t, props, _c, _a) -> Iterator[str]:
    value = dig(props, "imageScanningConfiguration", "scanOnPush")
    require_known(value, "imageScanningConfiguration.scanOnPush")
    if as_bool(value) is not True:
        yield "images are not scanned for vulnerabilities when pushed (imageScanningConfiguration.scanOnPush)."


def _immutable(_t, props, _c, _a) -> Iterator[str]:
    value = props.get("imageTagMutability")
    require_known(value, "imageTagMutability")
    if str(value or "MUTABLE").upper().startswith("MUTABLE"):
        yield "image tags are mutable: a pushed tag can be replaced by other image content (imageTagMutability)."


def _public(_t, props, _c, _a) -> Iterator[str]:
    for label, st in statements(document_input(props)):
        if is_public(st):
            yield f"repository policy {label} allows any principal ('*') with no condition."


def _lifecycle(graph: Graph, _config: dict[str, Any]) -> Iterator[tuple[str, Optional[str]]]:
    for repo in graph.of_type(REPOSITORY):
        if not graph.dependents(repo, "repository", types=[LIFECYCLE]):
            yield (f"{describe(repo.type, repo.name)} has no lifecycle policy: old images (and their unpatched "
                   f"packages) pile up for ever.", repo.urn)


POLICIES = [
    resource_policy(
        name="security-ecr-scan-on-push", types=[REPOSITORY], check=_scan_on_push,
        description="ECR repositories scan images when they are pushed.", severity=Severity.MEDIUM,
        remediation="Set imageScanningConfiguration = {scanOnPush: true} (or enhanced scanning for the registry)."),
    resource_policy(
        name="security-ecr-immutable-tags", types=[REPOSITORY], check=_immutable,
        description="ECR repositories keep image tags immutable.", severity=Severity.MEDIUM,
        remediation="Set imageTagMutability: 'IMMUTABLE' and tag each build uniquely (a version or a digest)."),
    resource_policy(
        name="security-ecr-policy-not-public", types=[REPOSITORY_POLICY], check=_public,
        description="ECR repository policies never allow any principal ('*') without a condition.",
        severity=Severity.CRITICAL,
        remediation="Name the accounts or roles that pull, or add a condition such as aws:PrincipalOrgID."),
    stack_policy(
        name="security-ecr-lifecycle-policy", check=_lifecycle,
        description="ECR repositories have a lifecycle policy that expires old images.", severity=Severity.LOW,
        remediation="Add an aws.ecr.LifecyclePolicy (e.g. keep the 20 newest images)."),
]
