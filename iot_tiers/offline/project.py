"""Reading a Pulumi project directory: Pulumi.yaml and Pulumi.<stack>.yaml."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml


class ProjectError(Exception):
    """The program directory or a stack file is missing or malformed."""


#: Stand-in for a ``secure:`` value, which only the Pulumi CLI can decrypt.
SECRET_PLACEHOLDER = "[secret]"


@dataclass
class Project:
    directory: Path
    name: str
    runtime: Any
    #: Declared config keys of the project (Pulumi.yaml ``config:`` block), as written.
    declared: dict[str, Any] = field(default_factory=dict)

    @property
    def main(self) -> Path:
        return self.directory / "__main__.py"

    def stack_file(self, stack: str) -> Path:
        return self.directory / f"Pulumi.{stack}.yaml"

    def stacks(self) -> list[str]:
        return sorted(p.name[len("Pulumi."):-len(".yaml")]
                      for p in self.directory.glob("Pulumi.*.yaml"))

    def stack_config(self, stack: str) -> tuple[dict[str, str], list[str]]:
        """The config a ``pulumi preview`` of ``stack`` would hand the program.

        Pulumi.yaml defaults, overlaid with the stack file's values, as the
        namespaced string map the Pulumi runtime expects (structured values as
        JSON). Returns the map and the keys that are secrets.
        """
        config: dict[str, str] = {}
        for key, decl in self.declared.items():
            full = key if ":" in key else f"{self.name}:{key}"
            if isinstance(decl, dict) and ("type" in decl or "default" in decl or "description" in decl):
                if "default" in decl:
                    config[full] = _to_config_string(decl["default"])
            else:
                config[full] = _to_config_string(decl)

        path = self.stack_file(stack)
        if not path.exists():
            known = ", ".join(self.stacks()) or "none"
            raise ProjectError(f"no stack file {path.name} in {self.directory} (stacks here: {known})")
        doc = _load_yaml(path)
        values = (doc or {}).get("config") or {}
        if not isinstance(values, dict):
            raise ProjectError(f"{path.name}: 'config' must be a mapping of key: value")
        secrets = []
        for key, value in values.items():
            full = key if ":" in key else f"{self.name}:{key}"
            if isinstance(value, dict) and set(value) == {"secure"}:
                secrets.append(full)
                value = SECRET_PLACEHOLDER
            config[full] = _to_config_string(value)
        return config, secrets


def _to_config_string(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    return str(value)


def _load_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text())
    except yaml.YAMLError as exc:
        raise ProjectError(f"{path.name} is not valid YAML: {exc}") from None


def load_project(directory: str | Path) -> Project:
    directory = Path(directory).resolve()
    path = directory / "Pulumi.yaml"
    if not path.exists():
        raise ProjectError(f"{directory} is not a Pulumi project: it has no Pulumi.yaml")
    doc = _load_yaml(path) or {}
    if not isinstance(doc, dict) or "name" not in doc:
        raise ProjectError(f"{path}: a Pulumi.yaml needs a 'name'")
    if not (directory / "__main__.py").exists():
        raise ProjectError(f"{directory} has no __main__.py: only Python programs can be previewed offline")
    declared = doc.get("config") or {}
    return Project(directory, str(doc["name"]), doc.get("runtime"), dict(declared))
