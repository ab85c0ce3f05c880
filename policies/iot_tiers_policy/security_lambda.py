"""Security baseline for Lambda: functions, permissions, URLs, and failure handling.

Drawn from checkov (Lambda env secrets, concurrency limit, DLQ, URL auth, public
permissions), cdk-nag (L1 latest runtime, SQS3 dead-letter queues) and awsguard.
"""

from __future__ import annotations

import re
from typing import Any, Iterator, Optional

from pulumi_policy import EnforcementLevel, Severity

from ._util import as_number, describe, dig, each, is_unknown, require_known, resource_policy, stack_policy
from .graph import Graph
from ._secrets import credential_kind
from .security_ecs import SECRET_CONFIG

FUNCTION = "aws:lambda/function:Function"
ALIAS = "aws:lambda/alias:Alias"
PERMISSION = "aws:lambda/permission:Permission"
FUNCTION_URL = "aws:lambda/functionUrl:FunctionUrl"
ESM = "aws:lambda/eventSourceMapping:EventSourceMapping"
INVOKE_CONFIG = "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig"
QUEUE = "aws:sqs/queue:Queue"
STREAM_SOURCES = ("aws:dynamodb/table:Table", "aws:kinesis/stream:Stream")

#: Runtimes AWS has deprecated (or deprecates within the year) for new functions.
DEPRECATED_RUNTIMES = [
    "python2.7", "python3.6", "python3.7", "python3.8", "nodejs", "nodejs4.3", "nodejs6.10", "nodejs8.10",
    "nodejs10.x", "nodejs12.x", "nodejs14.x", "nodejs16.x", "java8", "dotnetcore1.0", "dotnetcore2.0",
    "dotnetcore2.1", "dotnetcore3.1", "dotnet5.0", "dotnet6", "go1.x", "ruby2.5", "ruby2.7", "provided",
]
#: Services that invoke a function asynchronously (so failures need a DLQ or destination).
ASYNC_PRINCIPALS = ("sns.amazonaws.com", "s3.amazonaws.com", "events.amazonaws.com", "iot.amazonaws.com",
                    "scheduler.amazonaws.com", "logs.amazonaws.com")
ASYNC_TRIGGERS = {
    "aws:sns/topicSubscription:TopicSubscription": "SNS subscription",
    "aws:cloudwatch/eventTarget:EventTarget": "EventBridge target",
    "aws:iot/topicRule:TopicRule": "IoT rule",
    "aws:s3/bucketNotification:BucketNotification": "S3 notification",
}


def _env_secrets(_t, props, config, _a) -> Iterator[str]:
    variables = dig(props, "environment", "variables")
    if is_unknown(variables):  # single unknown leaves are computed values, not literal secrets
        require_known(variables, "environment.variables")
    names = re.compile(config["secretNamePattern"])
    for name, value in (variables or {}).items():
        if value in (None, "") or is_unknown(value):
            continue  # computed from another resource: not a literal secret
        kind = credential_kind(str(value), name_says_secret=bool(names.search(name)))
        if kind:
            yield (f"environment variable {name} holds {kind}; keep it in Secrets Manager or SSM and pass its "
                   f"ARN or name instead.")


def _runtime(_t, props, config, _a) -> Iterator[str]:
    runtime = props.get("runtime")
    require_known(runtime, "runtime")
    if runtime in config["deprecatedRuntimes"]:
        yield f"runtime {runtime} is deprecated: it gets no security patches."


def _concurrency(_t, props, _c, _a) -> Iterator[str]:
    value = props.get("reservedConcurrentExecutions")
    require_known(value, "reservedConcurrentExecutions")
    if value is None or (as_number(value) is not None and as_number(value) < 0):
        yield ("no reserved concurrency: one burst can take the account's whole concurrency and hammer "
               "what the function writes to.")


def _public_permission(_t, props, _c, _a) -> Iterator[str]:
    principal = props.get("principal")
    require_known(principal, "principal")
    if principal == "*" and not any(props.get(k) for k in ("sourceArn", "sourceAccount", "principalOrgId")):
        yield "the permission lets anyone invoke the function (principal '*' with no source condition)."


def _service_permission(_t, props, _c, _a) -> Iterator[str]:
    principal = props.get("principal")
    require_known(principal, "principal")
    if not (isinstance(principal, str) and principal.endswith(".amazonaws.com")):
        return
    if not any(props.get(k) for k in ("sourceArn", "sourceAccount", "principalOrgId")):
        yield (f"the permission lets {principal} invoke the function on behalf of any account (no sourceArn or "
               f"sourceAccount): the confused-deputy case.")


def _tracing(_t, props, _c, _a) -> Iterator[str]:
    mode = dig(props, "tracingConfig", "mode")
    require_known(mode, "tracingConfig.mode")
    if mode not in ("Active", "PassThrough"):
        yield "X-Ray tracing is off (tracingConfig.mode): a slow or failing invocation cannot be followed downstream."


def _url_cors(_t, props, _c, _a) -> Iterator[str]:
    cors = props.get("cors")
    require_known(cors, "cors")
    origins, methods = list(each(dig(cors, "allowOrigins"))), list(each(dig(cors, "allowMethods")))
    if "*" in origins and "*" in methods:
        yield "the function URL's CORS allows every origin ('*') every method ('*')."


def _url_auth(_t, props, _c, _a) -> Iterator[str]:
    auth = props.get("authorizationType")
    require_known(auth, "authorizationType")
    if str(auth).upper() == "NONE":
        yield "the function URL has authorizationType NONE: anyone on the internet can invoke it."


def _function_targets(graph: Graph, fn) -> list:
    return [fn, *graph.dependents(fn, "functionName", types=[ALIAS])]


def _esm_dlq(graph: Graph, _config: dict[str, Any]) -> Iterator[tuple[str, Optional[str]]]:
    for esm in graph.of_type(ESM):
        label = describe(esm.type, esm.name)
        for q in graph.deps(esm, "eventSourceArn", types=[QUEUE]):
            if q.props.get("redrivePolicy") is None:
                yield (f"{label} reads queue '{q.name}', which has no dead-letter queue (redrivePolicy): a "
                       f"message that always fails is retried until it expires.", esm.urn)
        if graph.deps(esm, "eventSourceArn", types=STREAM_SOURCES):
            if dig(esm.props, "destinationConfig", "onFailure", "destinationArn") is None:
                yield (f"{label} reads a stream with no on-failure destination: a failing batch blocks its "
                       f"shard until the records expire.", esm.urn)


def _async_dlq(graph: Graph, _config: dict[str, Any]) -> Iterator[tuple[str, Optional[str]]]:
    for fn in graph.of_type(FUNCTION):
        why = []
        for t in _function_targets(graph, fn):
            for dep in graph.dependents(t):
                if dep.type == PERMISSION:
                    principal = dep.props.get("principal")
                    if is_unknown(principal) or principal in ASYNC_PRINCIPALS:
                        why.append(f"permission '{dep.name}' for {principal if not is_unknown(principal) else 'an unknown principal'}")
                elif dep.type in ASYNC_TRIGGERS:
                    why.append(f"{ASYNC_TRIGGERS[dep.type]} '{dep.name}'")
        if not why:
            continue
        if dig(fn.props, "deadLetterConfig", "targetArn") is not None:
            continue
        configs = [c for t in _function_targets(graph, fn)
                   for c in graph.dependents(t, "functionName", types=[INVOKE_CONFIG])]
        if any(dig(c.props, "destinationConfig", "onFailure", "destination") is not None for c in configs):
            continue
        yield (f"{describe(fn.type, fn.name)} is invoked asynchronously ({', '.join(why)}) but has no "
               f"dead-letter queue or on-failure destination: failed events are dropped after two retries.",
               fn.urn)


POLICIES = [
    resource_policy(
        name="security-lambda-no-secrets-in-environment", types=[FUNCTION], check=_env_secrets, config=SECRET_CONFIG,
        description="Lambda environment variables hold no literal secrets, judged by the value: known credential "
                    "formats and high-entropy tokens (and a typed password in a variable named as a secret); "
                    "secret names and ARNs, parameter names, URLs without credentials, durations and modes are "
                    "references.", severity=Severity.HIGH,
        remediation="Put the secret in Secrets Manager or SSM Parameter Store, pass its ARN or name in the "
                    "environment and read it at runtime (Powertools parameters caches it)."),
    resource_policy(
        name="security-lambda-supported-runtime", types=[FUNCTION], check=_runtime,
        config={"deprecatedRuntimes": {"type": "array", "items": {"type": "string"}, "default": DEPRECATED_RUNTIMES,
                                       "description": "Runtimes that are refused."}},
        description="Lambda functions use a runtime AWS still patches.", severity=Severity.MEDIUM,
        remediation="Move the function to a current runtime (e.g. python3.12 or nodejs20.x) and redeploy."),
    resource_policy(
        name="security-lambda-concurrency-limit", types=[FUNCTION], check=_concurrency,
        description="Lambda functions set a reserved concurrency (a ceiling on parallel executions).",
        severity=Severity.LOW,
        remediation="Set reservedConcurrentExecutions to what the downstream resources can take "
                    "(ProcessingTier: processingReservedConcurrency)."),
    resource_policy(
        name="security-lambda-no-public-permission", types=[PERMISSION], check=_public_permission,
        description="Lambda permissions never let anyone invoke a function ('*' principal without a source "
                    "condition).", severity=Severity.CRITICAL,
        remediation="Name the invoking service or account as principal and add sourceArn or sourceAccount."),
    resource_policy(
        name="security-lambda-service-permission-scoped", types=[PERMISSION], check=_service_permission,
        description="Lambda permissions for an AWS service principal name the source (sourceArn or "
                    "sourceAccount), so no other account's resource can make the service invoke the function.",
        severity=Severity.HIGH,
        remediation="Set sourceArn to the topic, bucket, rule or API that invokes the function (or sourceAccount)."),
    resource_policy(
        name="security-lambda-tracing", types=[FUNCTION], check=_tracing,
        enforcement_level=EnforcementLevel.ADVISORY,
        description="Lambda functions send X-Ray traces (tracingConfig.mode Active or PassThrough).",
        severity=Severity.LOW,
        remediation="Set tracingConfig = {mode: 'Active'} and allow xray:PutTraceSegments in the role "
                    "(ProcessingTier does)."),
    resource_policy(
        name="security-lambda-url-cors", types=[FUNCTION_URL], check=_url_cors,
        description="Lambda function URLs do not allow every origin with every method (CORS).",
        severity=Severity.MEDIUM,
        remediation="List the dashboard origins in cors.allowOrigins and the methods it uses in allowMethods."),
    resource_policy(
        name="security-lambda-url-requires-auth", types=[FUNCTION_URL], check=_url_auth,
        description="Lambda function URLs require IAM authorisation.", severity=Severity.HIGH,
        remediation="Set authorizationType to AWS_IAM, or put the function behind API Gateway with an authoriser."),
    stack_policy(
        name="security-lambda-event-source-dlq", check=_esm_dlq,
        description="Queues that feed Lambda event source mappings have a dead-letter queue; stream sources "
                    "have an on-failure destination.", severity=Severity.MEDIUM,
        remediation="Give the source queue a redrivePolicy pointing at a dead-letter queue (maxReceiveCount "
                    "~5), or give the stream mapping destinationConfig.onFailure."),
    stack_policy(
        name="security-lambda-async-dlq", check=_async_dlq,
        description="Lambda functions invoked asynchronously (SNS, S3, EventBridge, IoT rules) keep failed "
                    "events: a dead-letter queue or an on-failure destination.", severity=Severity.MEDIUM,
        remediation="Set deadLetterConfig.targetArn on the function, or add a FunctionEventInvokeConfig with "
                    "destinationConfig.onFailure."),
]
