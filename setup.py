"""Packaging: which repository folder becomes which import package.

The repository keeps the layout of the design card (``components/``, ``runtime/``,
``policies/`` at the top, next to the stack program), but a ``pip install`` must
add only distinctive import roots, one per deployment unit, so they never collide
with a team's own ``components/`` or ``policies/`` folders:

- ``iot_tiers``            the library and the CLI (``iot_tiers/``, with the tiers of
                           ``components/`` as ``iot_tiers.components``);
- ``iot_tiers_runtime``    what ships into Lambda and the bridge image (``runtime/``);
- ``iot_tiers_policy``     the CrossGuard pack's code (``policies/iot_tiers_policy/``),
                           with the pack's own files as ``iot_tiers_policy.pack``
                           (``policies/``: PulumiPolicy.yaml, __main__.py, config/).

Everything else (metadata, dependencies, scripts) is in pyproject.toml.
"""

from setuptools import find_packages, setup

#: import package -> repository folder. Subpackages are found below each folder.
ROOTS = {
    "iot_tiers": "iot_tiers",
    "iot_tiers.components": "components",
    "iot_tiers_runtime": "runtime",
    "iot_tiers_policy": "policies/iot_tiers_policy",
}
#: The pack folder itself is data, not code to import: its __main__.py is what
#: `pulumi policy` runs, and its iot_tiers_policy/ subfolder is mapped above.
PACK = ("iot_tiers_policy.pack", "policies")


def packages() -> list[str]:
    found = []
    for name, folder in ROOTS.items():
        found.append(name)
        found += [f"{name}.{sub}" for sub in find_packages(folder)]
    return found + [PACK[0]]


setup(
    packages=packages(),
    package_dir={**ROOTS, PACK[0]: PACK[1]},
    package_data={
        "iot_tiers": ["py.typed"],
        "iot_tiers.local": ["dashboard/*"],
        "iot_tiers_runtime": ["py.typed"],
        "iot_tiers_runtime.bridge": ["Dockerfile", ".dockerignore", "requirements.txt"],
        "iot_tiers_policy": ["py.typed", "*.json"],
        "iot_tiers_policy.cost": ["prices/*.json"],
        "iot_tiers_policy.quotas": ["*.json"],
        PACK[0]: ["PulumiPolicy.yaml", "requirements.txt", "config/*.json"],
    },
    exclude_package_data={"": ["__pycache__/*", "*.pyc"]},
)
