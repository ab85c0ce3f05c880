"""CloudWatch, KMS, Secrets Manager, S3 and ECR pricers: fixed monthly prices and usage-based storage."""

from __future__ import annotations

import pytest

from .pricer_support import priced, resource, usd, view


def test_an_alarm_costs_per_metric_it_evaluates():
    """Standard resolution: $0.10 a metric; an expression over two metrics: $0.20 (as Infracost prices it)."""
    est = priced(view("aws:cloudwatch/metricAlarm:MetricAlarm", "one", {}),
                 view("aws:cloudwatch/metricAlarm:MetricAlarm", "expr", {"metricQueries": [
                     {"id": "a", "metric": {"metricName": "Errors"}}, {"id": "b", "metric": {"metricName": "Invocations"}},
                     {"id": "e", "expression": "a / b"}]}))
    assert usd(resource(est, "one").items) == pytest.approx(0.10)
    assert usd(resource(est, "expr").items) == pytest.approx(0.20)


def test_storage_is_usage_based_until_the_usage_file_gives_gb():
    """400 GB in S3 Standard x $0.023 = $9.20; 3 GB of images x $0.10 = $0.30; 100 GB of logs x $0.03 = $3."""
    views = [view("aws:s3/bucket:Bucket", "logs-bucket", {}), view("aws:ecr/repository:Repository", "repo", {}),
             view("aws:cloudwatch/logGroup:LogGroup", "app-logs", {})]
    est = priced(*views)
    assert {r.status for r in est.resources} == {"usage-based"}
    assert "$0.023 per GB-month" in resource(est, "logs-bucket").reason
    est = priced(*views, usage={"resource_usage": {"logs-bucket": {"storage_gb": 400}, "repo": {"storage_gb": 3}},
                                "resource_type_default_usage": {"aws:cloudwatch/logGroup:LogGroup": {"storage_gb": 100}}})
    assert [round(usd(r.items), 2) for r in est.resources] == [9.20, 0.30, 3.00]


def test_keys_and_secrets_cost_a_month_each():
    """KMS key $1 + 100,000 requests x $0.03/10,000 = $0.30; secret $0.40."""
    est = priced(view("aws:kms/key:Key", "k", {}), view("aws:secretsmanager/secret:Secret", "s", {}),
                 usage={"resource_usage": {"k": {"monthly_requests": 100_000}}})
    assert usd(resource(est, "k").items) == pytest.approx(1.30)
    assert usd(resource(est, "s").items) == pytest.approx(0.40)
