"""Pulumi resources (as the engine hands them to a policy pack) as a Terraform configuration (``main.tf``).

pulumi-aws is bridged from the Terraform AWS provider: its type tokens name the
provider's resource types and its inputs are the provider's attributes in
camelCase. So a captured preview, written back as Terraform, is something
Terraform-based scanners (checkov) read one to one. It is written in Terraform's
native syntax, not ``.tf.json``: checkov's ``terraform`` framework reads only the
former (its ``terraform_json`` runner is a different, CDKTF-oriented one). Four
translation rules:

* type tokens: ``aws:<module>/<camelName>:<Name>`` -> ``aws_<module>_<snake_name>``, with the
  provider's own exceptions (EC2 types carry no ``ec2_`` prefix, ``lb/loadBalancer`` is ``aws_lb``,
  and :data:`TYPE_EXCEPTIONS`);
* attribute names: camelCase -> snake_case at every object level, but never inside maps whose keys
  are the user's (``tags``, environment ``variables``, ...) nor inside JSON documents;
* Pulumi pluralises list-valued Terraform blocks (``defaultActions`` is ``default_action``), which
  a bridged schema would tell and this module cannot: such lists are written under both names;
* JSON-string inputs (IAM documents, container definitions) are written as the objects
  Terraform's ``jsonencode`` would have produced, and an input that depends on another resource
  of the configuration becomes a reference to it (``${aws_s3_bucket.logs.id}``), so graph checks
  see the connection.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Optional

#: pulumi-aws tokens whose Terraform type the general rule does not give.
TYPE_EXCEPTIONS = {
    "aws:lb/loadBalancer:LoadBalancer": "aws_lb",
    "aws:alb/loadBalancer:LoadBalancer": "aws_alb",
    "aws:elb/loadBalancer:LoadBalancer": "aws_elb",
    "aws:s3/bucketReplicationConfig:BucketReplicationConfig": "aws_s3_bucket_replication_configuration",
}
#: EC2 types that keep their ``ec2_`` prefix in Terraform (the others drop it).
EC2_PREFIXED = ("transitGateway", "fleet", "host", "capacityReservation", "tag", "clientVpn",
                "localGateway", "managedPrefixList", "networkInsights", "trafficMirror", "availabilityZoneGroup",
                "serialConsoleAccess", "instanceMetadataDefaults", "imageBlockPublicAccess", "defaultCreditSpecification")
#: Inputs whose values are maps with the user's own keys.
FREE_MAPS = frozenset({"tags", "tagsAll", "variables", "options", "parameters", "secretOptions", "dockerLabels",
                       "labels", "attributes"})
#: Inputs that Terraform calls something else.
ATTRIBUTE_RENAMES = {("aws_lambda_function", "code"): "filename"}

_CAMEL = re.compile(r"^[a-z][a-zA-Z0-9]*$")
#: What the engine sends for an input that is not known yet.
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"


def snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


def terraform_type(token: str) -> Optional[str]:
    """The Terraform resource type of a pulumi-aws type token; None for other packages."""
    if token in TYPE_EXCEPTIONS:
        return TYPE_EXCEPTIONS[token]
    try:
        package, path, _kind = token.split(":")
        module, name = path.split("/")
    except ValueError:
        return None
    if package != "aws":
        return None
    name = re.sub(r"V2$", "", name)
    if module == "ec2" and not name.startswith(EC2_PREFIXED):
        return f"aws_{snake(name)}"
    return f"aws_{snake(module)}_{snake(name)}"


def terraform_name(name: str) -> str:
    """A Pulumi resource name as a Terraform block label (letters, digits, '_' and '-')."""
    label = re.sub(r"[^A-Za-z0-9_-]", "_", name)
    return label if re.match(r"[A-Za-z_]", label) else f"r_{label}"


def _singular(name: str) -> str:
    if name.endswith("ies"):
        return name[:-3] + "y"
    if name.endswith(("sses", "shes", "ches", "xes")):
        return name[:-2]
    return name[:-1] if name.endswith("s") else name


class Ref(str):
    """An expression referring to another resource (``aws_s3_bucket.logs.id``)."""


class Document(dict):
    """A JSON document input, written as ``jsonencode({...})``."""


class FreeMap(dict):
    """A map with the user's own keys (tags, variables), written as an attribute."""


def _document(value: str) -> Any:
    text = value.strip()
    if not text.startswith(("{", "[")):
        return value
    try:
        parsed = json.loads(text)
    except ValueError:
        return value
    return Document({"": parsed})


def _value(value: Any, free_map: bool = False) -> Any:
    if isinstance(value, str):
        return _document(value)
    if isinstance(value, list):
        return [_value(v) for v in value if v != UNKNOWN]
    if isinstance(value, Mapping):
        if "__archive" in value or "__asset" in value:
            return "archive.zip"
        if free_map:
            return FreeMap({k: v for k, v in value.items() if v is not None and v != UNKNOWN})
        out: dict[str, Any] = {}
        for key, item in value.items():
            if item is None or item == UNKNOWN:
                continue
            if not _CAMEL.match(key):
                out[key] = item
                continue
            out.update(_attribute(key, item))
        return out
    return value


def _attribute(key: str, item: Any) -> dict[str, Any]:
    name = snake(key)
    converted = _value(item, free_map=key in FREE_MAPS)
    out = {name: converted}
    if isinstance(item, list) and item and all(isinstance(i, Mapping) for i in item) and name.endswith("s"):
        out[_singular(name)] = converted
    return out


@dataclass
class Resource:
    """The parts of a registered resource the translation reads."""

    urn: str
    type: str
    name: str
    inputs: dict[str, Any]
    property_dependencies: dict[str, list[str]] = field(default_factory=dict)


def to_terraform(resources: Iterable[Resource]) -> tuple[dict[str, Any], dict[str, str]]:
    """The ``.tf.json`` document for ``resources`` and a map from Terraform address to URN.

    Resources of other packages (components, awsx) are left out: a Terraform scanner has
    no checks for them.
    """
    resources = list(resources)
    addresses: dict[str, str] = {}
    by_urn: dict[str, str] = {}
    for r in resources:
        tf_type = terraform_type(r.type)
        if tf_type is None:
            continue
        label, n = terraform_name(r.name), 1
        while f"{tf_type}.{label}" in addresses:
            n += 1
            label = f"{terraform_name(r.name)}_{n}"
        addresses[f"{tf_type}.{label}"] = r.urn
        by_urn[r.urn] = f"{tf_type}.{label}"
    blocks: dict[str, dict[str, Any]] = {}
    for r in resources:
        address = by_urn.get(r.urn)
        if address is None:
            continue
        tf_type, label = address.split(".", 1)
        attrs: dict[str, Any] = {}
        for key, item in r.inputs.items():
            if item is None or str(key).startswith("__"):
                continue
            target = _reference(key, item, r.property_dependencies.get(key, ()), by_urn)
            if target is not None:
                attrs[snake(key)] = target
                continue
            if item == UNKNOWN:
                continue
            renamed = ATTRIBUTE_RENAMES.get((tf_type, key))
            attrs.update({renamed: "archive.zip"} if renamed else _attribute(key, item))
        blocks.setdefault(tf_type, {})[label] = attrs
    return {"resource": blocks}, addresses


def _reference(key: str, value: Any, deps: Iterable[str], by_urn: Mapping[str, str]) -> Optional[str]:
    """``${type.label.attr}`` for a scalar input computed from one resource of the configuration."""
    targets = [by_urn[u] for u in deps if u in by_urn]
    if len(targets) != 1 or not (isinstance(value, str) and (value == UNKNOWN or not value.lstrip().startswith(("{", "[")))):
        return None
    attr = "arn" if key.lower().endswith("arn") else ("name" if key.lower().endswith("name") else "id")
    return Ref(f"{targets[0]}.{attr}")


# ---------------------------------------------------------------- HCL

def _string(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    escaped = escaped.replace("\t", "\\t").replace("${", "$${").replace("%{", "%%{")
    return f'"{escaped}"'


def _expression(value: Any, indent: str) -> str:
    """An HCL expression: literals, lists, objects (``{ "k" = v }``), references and documents."""
    if isinstance(value, Ref):
        return str(value)
    if isinstance(value, Document):
        return f"jsonencode({_expression(value[''], indent)})"
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, list):
        return "[" + ", ".join(_expression(v, indent) for v in value) + "]"
    if isinstance(value, Mapping):
        inner = indent + "  "
        items = [f"{inner}{_string(str(k))} = {_expression(v, inner)}" for k, v in value.items()]
        return "{\n" + "\n".join(items) + f"\n{indent}}}" if items else "{}"
    return _string(str(value))


def _body(attrs: Mapping[str, Any], indent: str) -> list[str]:
    lines = []
    for key, value in attrs.items():
        if isinstance(value, Mapping) and not isinstance(value, (Document, FreeMap)):
            lines.append(f"{indent}{key} {{")
            lines.extend(_body(value, indent + "  "))
            lines.append(f"{indent}}}")
        elif isinstance(value, list) and value and all(
                isinstance(v, Mapping) and not isinstance(v, (Document, FreeMap)) for v in value):
            for v in value:
                lines.append(f"{indent}{key} {{")
                lines.extend(_body(v, indent + "  "))
                lines.append(f"{indent}}}")
        elif re.match(r"^[A-Za-z_][A-Za-z0-9_-]*$", key):
            lines.append(f"{indent}{key} = {_expression(value, indent)}")
    return lines


def render_hcl(doc: Mapping[str, Any]) -> str:
    """The configuration :func:`to_terraform` built, as Terraform's native syntax (``main.tf``)."""
    out = []
    for tf_type, blocks in doc["resource"].items():
        for label, attrs in blocks.items():
            out.append(f'resource "{tf_type}" "{label}" {{')
            out.extend(_body(attrs, "  "))
            out.append("}\n")
    return "\n".join(out)
