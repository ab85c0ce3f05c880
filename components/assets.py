"""Deployment assets built from the runtime package itself.

The Lambda archive and the bridge image's Docker context come from wherever
``iot_tiers_runtime`` is imported from (a wheel in site-packages, an editable
install, or the repository's ``runtime/`` folder), and are the same in every case:

- the Lambda archive lists its files one by one (``iot_tiers_runtime/__init__.py``
  and the ``.py`` files of ``processing/``), never a folder as it is on disk, so
  ``__pycache__`` or an editor's backup file never changes the function's code hash;
- the Docker context is the bridge's own folder, whose ``.dockerignore`` ships with
  it, not the folder above the installed package (all of site-packages, for a wheel);
  the image's tag is a digest of what Docker would send from it (:func:`image_tag`).
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import stat
from pathlib import Path
from typing import Any, Mapping

import pulumi

RUNTIME_PACKAGE = "iot_tiers_runtime"

#: Subpackages of the runtime a Lambda function needs (the bridge is not one of them).
LAMBDA_SUBPACKAGES = ("processing",)


def runtime_dir() -> Path:
    """The folder of the ``iot_tiers_runtime`` package that this process imports."""
    spec = importlib.util.find_spec(RUNTIME_PACKAGE)
    if spec is not None and spec.submodule_search_locations:
        return Path(list(spec.submodule_search_locations)[0]).resolve()
    # Not installed: the repository layout (components/ beside runtime/).
    return (Path(__file__).resolve().parent.parent / "runtime").resolve()


def _is_source(path: Path) -> bool:
    """A module the function runs: ``.py``, not hidden, not a test, not in a cache folder."""
    return (path.suffix == ".py" and not path.name.startswith((".", "test_"))
            and "__pycache__" not in path.parts)


def lambda_files(root: Path | None = None) -> dict[str, Path]:
    """Archive name -> file, sorted by name: what the Lambda archive holds."""
    root = root or runtime_dir()
    files = {f"{RUNTIME_PACKAGE}/__init__.py": root / "__init__.py"}
    for sub in LAMBDA_SUBPACKAGES:
        for path in sorted((root / sub).rglob("*.py")):
            rel = path.relative_to(root)
            if _is_source(rel):
                files[f"{RUNTIME_PACKAGE}/{rel.as_posix()}"] = path
    return dict(sorted(files.items()))


def lambda_archive() -> pulumi.AssetArchive:
    """The functions' code: each runtime file as its own asset, under ``iot_tiers_runtime/``."""
    return pulumi.AssetArchive({name: pulumi.FileAsset(str(path)) for name, path in lambda_files().items()})


def content_digest(files: dict[str, Path]) -> str:
    """sha256 over the archive's names and contents (not paths, times or modes): equal for
    equal code on any machine, as the engine's hash of the archive is."""
    h = hashlib.sha256()
    for name in sorted(files):
        h.update(name.encode() + b"\0" + hashlib.sha256(files[name].read_bytes()).digest())
    return h.hexdigest()


def bridge_context() -> Path:
    """The bridge image's Docker build context: the bridge package folder."""
    return runtime_dir() / "bridge"


def bridge_dockerfile() -> Path:
    return bridge_context() / "Dockerfile"


#: The platform the bridge image is built for (Fargate ARM64, Graviton).
BRIDGE_PLATFORM = "linux/arm64"


def image_tag(context: Path, dockerfile: Path | None = None, platform: str = BRIDGE_PLATFORM,
              build: Mapping[str, Any] | None = None) -> str:
    """A tag that names the image by what builds it: ``ctx-`` + a sha256 of the context and recipe.

    The context is what ``docker build`` would send (:func:`components.dockerignore.context_files`:
    the folder minus its ``.dockerignore``'d files), taken in name order as each file's name,
    permission bits and bytes: what Docker copies into the image, and what docker-build's own
    context hash (``hashBuildContext``, which decides whether it rebuilds) looks at. Modification
    times, owners and the folder's location do not count, so two installs of the same code give
    the same tag. ``platform`` and ``build`` (the other settings that make docker-build rebuild)
    are part of it too. An ECR repository with immutable tags needs exactly this: every rebuild
    is pushed under a new tag, and an unchanged image is not pushed again. 68 characters
    (Docker allows 128, ECR 300).
    """
    from .dockerignore import context_files

    recipe = json.dumps({"platform": platform, **(build or {})}, sort_keys=True)
    h = hashlib.sha256(recipe.encode() + b"\0")
    for name, path in context_files(context, dockerfile).items():
        info = path.lstat()
        data = os.readlink(path).encode() if path.is_symlink() else path.read_bytes()
        h.update(f"{name}\0{stat.S_IFMT(info.st_mode):o}:{stat.S_IMODE(info.st_mode):o}\0".encode()
                 + hashlib.sha256(data).digest())
    return f"ctx-{h.hexdigest()}"
