"""Inputs checked against AWS's own rules: what a first ``pulumi up`` would be refused.

Pulumi's mocks accept anything; AWS does not. This package rebuilds, from a
resource's pulumi-aws inputs, the API requests the Terraform AWS provider sends to
create it, and checks them against botocore's service models (types, enums, lengths,
patterns, ranges, sizes, required members), the physical names pulumi-aws makes up,
the rules AWS documents that the models cannot express, and the validations
pulumi-aws's provider runs on the inputs. docs/aws-rules.md is the coverage table.

- :func:`check_resource` checks one resource (type, logical name, inputs);
- :func:`check_stack` adds the rules that span resources (an SQS queue and the
  function it feeds), over a :class:`~iot_tiers_policy.graph.Graph`.

Pure Python over botocore's data files: no AWS account, no network. The policies
built on it are in :mod:`iot_tiers_policy.aws_api`.
"""

from .check import Result, Violation, check_resource, supported
from .stack import check_stack

__all__ = ["Result", "Violation", "check_resource", "check_stack", "supported"]
