"""Reading a Pulumi project directory: Pulumi.yaml and Pulumi.<stack>.yaml, as the CLI does.

A stack with no ``Pulumi.<stack>.yaml`` is a new stack: ``pulumi preview`` runs it with an
empty stack config plus the project's declared defaults, and so does :meth:`Project.stack_config`.
Declared keys are validated as the CLI validates them (``ValidateStackConfigAndApplyProjectConfig``
in pulumi/pulumi ``sdk/go/common/workspace``): a key declared with a ``type`` and no
``default`` must have a value, and a value must have the declared type.
"""

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

#: The declaration keys that make a Pulumi.yaml config entry a declaration, not a bare value.
_DECLARATION_KEYS = ("type", "default", "description", "secret", "items")


@dataclass(frozen=True)
class StackConfig:
    """The config a ``pulumi preview`` of one stack hands the program."""

    #: Namespaced keys (``project:key``, ``aws:region``) to strings (structured values as JSON).
    values: dict[str, str]
    #: Keys whose values are ``secure:`` (shown as :data:`SECRET_PLACEHOLDER`).
    secret_keys: list[str]
    #: False for a new stack: no ``Pulumi.<stack>.yaml``, only the project's declared defaults.
    has_stack_file: bool


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

    def full_key(self, key: str) -> str:
        return key if ":" in key else f"{self.name}:{key}"

    def load_stack(self, stack: str) -> StackConfig:
        """The config ``pulumi preview`` of ``stack`` would run the program with.

        Pulumi.yaml defaults overlaid with the stack file's values; a missing stack file
        is a new stack (defaults only). Raises :class:`ProjectError` for a malformed
        stack file, a declared key with no value, or a value of the wrong declared type.
        """
        config: dict[str, str] = {}
        declarations: dict[str, dict[str, Any]] = {}
        for key, decl in self.declared.items():
            full = self.full_key(str(key))
            if isinstance(decl, dict) and any(k in decl for k in _DECLARATION_KEYS):
                declarations[full] = {**decl, "_as_written": str(key)}
                if "default" in decl:
                    config[full] = _to_config_string(decl["default"])
            else:
                config[full] = _to_config_string(decl)

        path = self.stack_file(stack)
        given: dict[str, Any] = {}
        secrets: list[str] = []
        if path.exists():
            doc = _load_yaml(path)
            if doc is not None and not isinstance(doc, dict):
                raise ProjectError(f"{path.name} must be a mapping with a 'config' key")
            values = (doc or {}).get("config") or {}
            if not isinstance(values, dict):
                raise ProjectError(f"{path.name}: 'config' must be a mapping of key: value")
            for key, value in values.items():
                full = self.full_key(str(key))
                if isinstance(value, dict) and set(value) == {"secure"}:
                    secrets.append(full)
                    config[full] = SECRET_PLACEHOLDER
                    given[full] = SECRET_PLACEHOLDER
                    continue
                config[full] = _to_config_string(value)
                given[full] = value
        _validate(stack, declarations, config, given, secrets)
        return StackConfig(config, secrets, path.exists())

    def stack_config(self, stack: str) -> tuple[dict[str, str], list[str]]:
        """``(values, secret keys)`` of :meth:`load_stack`."""
        loaded = self.load_stack(stack)
        return loaded.values, loaded.secret_keys


_JSON_TYPES = {"string": str, "integer": int, "boolean": bool, "array": list, "object": dict}


def _validate(stack: str, declarations: dict[str, dict[str, Any]], config: dict[str, str],
              given: dict[str, Any], secrets: list[str]) -> None:
    missing = [d["_as_written"] for full, d in declarations.items()
               if "type" in d and "default" not in d and full not in config]
    if missing:
        quoted = [f"'{k}'" for k in missing]
        listed = quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]
        raise ProjectError(f"Stack '{stack}' is missing configuration value{'s' if len(missing) > 1 else ''} "
                           f"{listed}")
    for full, d in declarations.items():
        if full not in given or full in secrets:
            continue
        want = _JSON_TYPES.get(str(d.get("type")))
        value = given[full]
        if want is not None and not _has_type(value, want):
            raise ProjectError(f"Stack '{stack}' with configuration key '{d['_as_written']}' must be of type "
                               f"'{d['type']}'")


def _has_type(value: Any, want: type) -> bool:
    if want is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if want is str:
        # YAML reads `port: 80` as an int; the CLI keeps config values as strings, so any scalar is a string.
        return isinstance(value, (str, int, float, bool))
    return isinstance(value, want)


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
    if not isinstance(declared, dict):
        raise ProjectError(f"{path}: 'config' must be a mapping of key: declaration or value")
    return Project(directory, str(doc["name"]), doc.get("runtime"), dict(declared))


__all__ = ["Project", "ProjectError", "SECRET_PLACEHOLDER", "StackConfig", "load_project"]
