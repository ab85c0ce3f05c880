"""Secrets Manager: secrets by the month (their versions and policies are free)."""

from __future__ import annotations

from ...graph import Node
from .. import formulas as f
from ..model import Priced
from ..registry import Context, free, pricer

free("priced on its secret", "aws:secretsmanager/secretVersion:SecretVersion",
     "aws:secretsmanager/secretPolicy:SecretPolicy", "aws:secretsmanager/secretRotation:SecretRotation")


@pricer("aws:secretsmanager/secret:Secret")
def secret(node: Node, ctx: Context) -> Priced:
    return Priced(f.secrets_costs(ctx.prices), {"secrets": 1})
