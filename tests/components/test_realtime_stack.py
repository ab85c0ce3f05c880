"""RealtimeTier under Pulumi's mock runtime, through the repo's dev and prod stacks."""

from __future__ import annotations

import io
import json

import pytest

from iot_tiers.offline.harness import Capture, CapturedResource, run_stack
from iot_tiers_policy.decision import Service, WorkloadProfile, declared_profile, place
from iot_tiers_runtime.bridge.config import VARIABLES
from iot_tiers_runtime.bridge.metrics import Counters, EmfWriter

from support import policy_statements

RT = "iot-tiers:index:RealtimeTier"
NET = "iot-tiers:index:Network"


def stacks(dev_stack: Capture, prod_stack: Capture) -> dict[str, Capture]:
    return {"dev": dev_stack, "prod": prod_stack}


def child(stack: Capture, short: str) -> CapturedResource:
    found = [r for r in stack.descendants(stack.one(RT).urn) if r.name == f"realtime-{short}"]
    assert len(found) == 1, f"no single child realtime-{short}"
    return found[0]


def vpc(stack: Capture) -> dict:
    """The awsx VPC's outputs (component outputs are not registrations, so not captured)."""
    found = [r for r in stack.descendants(stack.one(NET).urn) if r.type == "awsx:ec2:Vpc"]
    assert len(found) == 1
    return found[0].outputs


def containers(stack: Capture) -> dict[str, dict]:
    defs = json.loads(child(stack, "task-definition").inputs["containerDefinitions"])
    return {c["name"]: c for c in defs}


def bridge_env(stack: Capture) -> dict[str, str]:
    return {e["name"]: e["value"] for e in containers(stack)["bridge"]["environment"]}


EXPECTED_CHILDREN = {
    "cluster": "aws:ecs/cluster:Cluster",
    "log-group": "aws:cloudwatch/logGroup:LogGroup",
    "jwt-secret": "aws:secretsmanager/secret:Secret",
    "jwt-secret-value": "aws:secretsmanager/secretVersion:SecretVersion",
    "iot-certificate": "aws:iot/certificate:Certificate",
    "iot-policy": "aws:iot/policy:Policy",
    "iot-policy-attachment": "aws:iot/policyAttachment:PolicyAttachment",
    "iot-certificate-secret": "aws:secretsmanager/secret:Secret",
    "repository": "aws:ecr/repository:Repository",
    "image": "docker-build:index:Image",
    "execution-role": "aws:iam/role:Role",
    "execution-role-policy": "aws:iam/rolePolicy:RolePolicy",
    "task-role": "aws:iam/role:Role",
    "task-role-policy": "aws:iam/rolePolicy:RolePolicy",
    "alb-sg": "aws:ec2/securityGroup:SecurityGroup",
    "tasks-sg": "aws:ec2/securityGroup:SecurityGroup",
    "alb": "aws:lb/loadBalancer:LoadBalancer",
    "target-group": "aws:lb/targetGroup:TargetGroup",
    "listener-http": "aws:lb/listener:Listener",
    "task-definition": "aws:ecs/taskDefinition:TaskDefinition",
    "service": "aws:ecs/service:Service",
    "scaling-target": "aws:appautoscaling/target:Target",
    "scaling-connections": "aws:appautoscaling/policy:Policy",
    "scaling-cpu": "aws:appautoscaling/policy:Policy",
}


@pytest.mark.parametrize("name", ["dev", "prod"])
def test_every_expected_child_exists_and_is_parented_to_the_tier(name, dev_stack, prod_stack):
    stack = stacks(dev_stack, prod_stack)[name]
    tier = stack.one(RT)
    for short, typ in EXPECTED_CHILDREN.items():
        c = child(stack, short)
        assert c.type == typ
        assert c.parent == tier.urn


def test_sizing_follows_the_stack_files(dev_stack, prod_stack):
    got = {}
    for name, stack in stacks(dev_stack, prod_stack).items():
        td, svc, target = child(stack, "task-definition"), child(stack, "service"), child(stack, "scaling-target")
        got[name] = (td.inputs["cpu"], td.inputs["memory"], svc.inputs["desiredCount"],
                     target.inputs["minCapacity"], target.inputs["maxCapacity"])
    assert got == {"dev": ("256", "512", 1, 1, 2), "prod": ("1024", "2048", 2, 2, 10)}
    assert child(dev_stack, "log-group").inputs["retentionInDays"] == 7
    assert child(prod_stack, "log-group").inputs["retentionInDays"] == 90


def test_container_insights_is_on_in_prod_only(dev_stack, prod_stack):
    def insights(stack):
        return {s["name"]: s["value"] for s in child(stack, "cluster").inputs["settings"]}["containerInsights"]
    assert (insights(dev_stack), insights(prod_stack)) == ("disabled", "enabled")


@pytest.mark.parametrize("name", ["dev", "prod"])
def test_the_service_runs_in_private_subnets_without_public_ips(name, dev_stack, prod_stack):
    stack = stacks(dev_stack, prod_stack)[name]
    svc = child(stack, "service").inputs
    private = vpc(stack)["privateSubnetIds"]
    assert svc["networkConfiguration"]["assignPublicIp"] is False
    assert svc["networkConfiguration"]["subnets"] == private and private
    assert svc["networkConfiguration"]["securityGroups"] == [child(stack, "tasks-sg").id]
    assert (svc["launchType"], svc["platformVersion"]) == ("FARGATE", "LATEST")
    assert svc["deploymentCircuitBreaker"] == {"enable": True, "rollback": True}


def test_prod_rolls_out_with_zero_downtime(prod_stack):
    svc = child(prod_stack, "service").inputs
    assert (svc["deploymentMinimumHealthyPercent"], svc["deploymentMaximumPercent"]) == (100, 200)


@pytest.mark.parametrize("name", ["dev", "prod"])
def test_the_task_is_arm64_fargate_with_the_bridge_hardened(name, dev_stack, prod_stack):
    stack = stacks(dev_stack, prod_stack)[name]
    td = child(stack, "task-definition").inputs
    assert td["runtimePlatform"] == {"cpuArchitecture": "ARM64", "operatingSystemFamily": "LINUX"}
    assert td["requiresCompatibilities"] == ["FARGATE"] and td["networkMode"] == "awsvpc"
    bridge = containers(stack)["bridge"]
    assert bridge["portMappings"][0]["containerPort"] == 3000
    assert bridge["readonlyRootFilesystem"] is True
    assert not bridge["user"].startswith(("0", "root"))
    # No volume and no start-up script: the bridge writes nowhere (an empty bind mount at /tmp
    # would be root-owned 0755 on Fargate, unwritable for the bridge's user), and the image's
    # own CMD starts it, so it is PID 1 and gets SIGTERM itself.
    assert "mountPoints" not in bridge and not td.get("volumes")
    assert "entryPoint" not in bridge and "command" not in bridge
    assert bridge["stopTimeout"] == 120
    assert td["executionRoleArn"] == child(stack, "execution-role").outputs["arn"]
    assert td["taskRoleArn"] == child(stack, "task-role").outputs["arn"]


def test_the_health_check_asks_health_with_python_not_curl(dev_stack):
    check = containers(dev_stack)["bridge"]["healthCheck"]
    command = " ".join(check["command"])
    assert check["command"][:2] == ["CMD", "python"]
    assert "curl" not in command and "http://127.0.0.1:3000/health" in command
    target = child(dev_stack, "target-group").inputs
    assert target["healthCheck"]["path"] == "/health"
    assert (target["port"], target["targetType"], target["protocol"]) == (3000, "ip", "HTTP")


@pytest.mark.parametrize("name", ["dev", "prod"])
def test_logs_go_to_the_tiers_log_group(name, dev_stack, prod_stack):
    stack = stacks(dev_stack, prod_stack)[name]
    log = containers(stack)["bridge"]["logConfiguration"]
    assert log["logDriver"] == "awslogs"
    assert log["options"]["awslogs-group"] == child(stack, "log-group").outputs["name"]
    assert log["options"]["awslogs-region"] == "us-east-1"


def test_secrets_reach_the_bridge_only_through_the_secrets_field(prod_stack):
    bridge = containers(prod_stack)["bridge"]
    secrets = {s["name"]: s["valueFrom"] for s in bridge["secrets"]}
    assert secrets["BRIDGE_JWT_SECRET"] == child(prod_stack, "jwt-secret").outputs["arn"]
    cert_arn = child(prod_stack, "iot-certificate-secret").outputs["arn"]
    assert secrets["MQTT_CLIENT_CERT_PEM"] == f"{cert_arn}:certificate_pem::"
    assert secrets["MQTT_CLIENT_KEY_PEM"] == f"{cert_arn}:private_key::"
    env = bridge_env(prod_stack)
    assert not set(secrets) & set(env)
    text = json.dumps(bridge["environment"])
    assert "PRIVATE KEY" not in text and "BEGIN CERTIFICATE" not in text
    # The bridge reads the PEMs from these variables itself (into memory): no file names, no script.
    assert {"MQTT_CLIENT_CERT_PEM", "MQTT_CLIENT_KEY_PEM"} <= {v.name for v in VARIABLES}
    assert not {"MQTT_CERT_FILE", "MQTT_KEY_FILE"} & set(env) and "entryPoint" not in bridge


def test_the_bridge_environment_uses_only_variables_the_bridge_reads(prod_stack):
    known = {v.name for v in VARIABLES}
    env = bridge_env(prod_stack)
    assert set(env) <= known, set(env) - known
    assert env["PORT"] == "3000"
    endpoint = "mqtts://" in env["MQTT_BROKER_URL"] and env["MQTT_BROKER_URL"].endswith("-ats.iot.us-east-1.amazonaws.com:8883")
    assert endpoint, env["MQTT_BROKER_URL"]


@pytest.mark.parametrize("name", ["dev", "prod"])
def test_connections_scale_on_the_metric_the_bridge_emits(name, dev_stack, prod_stack):
    stack = stacks(dev_stack, prod_stack)[name]
    service_name = child(stack, "service").outputs["name"]
    policy = child(stack, "scaling-connections").inputs
    assert policy["policyType"] == "TargetTrackingScaling"
    config = policy["targetTrackingScalingPolicyConfiguration"]
    spec = config["customizedMetricSpecification"]
    assert (spec["namespace"], spec["metricName"], spec["statistic"]) == ("IotTiers/Bridge", "ActiveConnections", "Average")
    assert spec["dimensions"] == [{"name": "ServiceName", "value": service_name}]
    assert config["targetValue"] == {"dev": 500, "prod": 2000}[name]
    assert config["scaleInCooldown"] > config["scaleOutCooldown"]
    target = child(stack, "scaling-target").inputs
    assert target["resourceId"] == f"service/{child(stack, 'cluster').outputs['name']}/{service_name}"
    assert policy["resourceId"] == target["resourceId"]
    assert target["scalableDimension"] == "ecs:service:DesiredCount"

    # What the bridge in this task writes on stdout, configured from the task's own
    # environment, carries exactly that namespace, dimension and metric.
    env = bridge_env(stack)
    out = io.StringIO()
    EmfWriter(env["BRIDGE_METRIC_NAMESPACE"], env["BRIDGE_SERVICE_NAME"], Counters(), lambda: (7, True),
              stream=out).emit()
    line = json.loads(out.getvalue())
    directive = line["_aws"]["CloudWatchMetrics"][0]
    assert directive["Namespace"] == spec["namespace"]
    assert [d["name"] for d in spec["dimensions"]] in directive["Dimensions"]
    assert spec["metricName"] in [m["Name"] for m in directive["Metrics"]]
    assert line["ServiceName"] == service_name and line[spec["metricName"]] == 7


def test_a_cpu_policy_is_the_safety_net(prod_stack):
    config = child(prod_stack, "scaling-cpu").inputs["targetTrackingScalingPolicyConfiguration"]
    assert config["predefinedMetricSpecification"]["predefinedMetricType"] == "ECSServiceAverageCPUUtilization"
    assert config["targetValue"] == 70
    assert config["scaleInCooldown"] == 900 and config["scaleOutCooldown"] == 60


def listeners(stack: Capture) -> dict[int, dict]:
    tier = stack.one(RT)
    found = [r for r in stack.descendants(tier.urn) if r.type == "aws:lb/listener:Listener"]
    return {r.inputs["port"]: r.inputs for r in found}


def test_prod_serves_https_and_port_80_only_redirects(prod_stack):
    ls = listeners(prod_stack)
    assert set(ls) == {443, 80}
    https = ls[443]
    assert https["protocol"] == "HTTPS"
    assert https["certificateArn"].startswith("arn:aws:acm:us-east-1:")
    assert https["sslPolicy"] == "ELBSecurityPolicy-TLS13-1-2-2021-06"
    assert https["defaultActions"] == [{"type": "forward",
                                        "targetGroupArn": child(prod_stack, "target-group").outputs["arn"]}]
    assert [a["type"] for a in ls[80]["defaultActions"]] == ["redirect"]
    assert ls[80]["defaultActions"][0]["redirect"] == {"protocol": "HTTPS", "port": "443", "statusCode": "HTTP_301"}
    assert prod_stack.outputs["dashboard_url"].startswith("https://")
    assert prod_stack.outputs["dashboard_url"] == "https://" + child(prod_stack, "alb").outputs["dnsName"]


def test_dev_serves_plain_http_because_it_is_development(dev_stack):
    ls = listeners(dev_stack)
    assert set(ls) == {80}
    assert ls[80]["defaultActions"][0]["type"] == "forward"
    assert dev_stack.outputs["dashboard_url"].startswith("http://")


@pytest.mark.parametrize("name", ["dev", "prod"])
def test_the_load_balancer_outlasts_pings_and_drains_within_the_stop_timeout(name, dev_stack, prod_stack):
    stack = stacks(dev_stack, prod_stack)[name]
    alb = child(stack, "alb").inputs
    assert alb["dropInvalidHeaderFields"] is True
    assert alb["loadBalancerType"] == "application" and alb["internal"] is False
    assert alb["subnets"] == vpc(stack)["publicSubnetIds"]
    assert alb["idleTimeout"] > int(bridge_env(stack)["BRIDGE_PING_INTERVAL_S"])
    assert child(stack, "target-group").inputs["deregistrationDelay"] < containers(stack)["bridge"]["stopTimeout"]


def sg_rules(stack: Capture, sg_short: str, kind: str) -> list[dict]:
    sg_id = child(stack, sg_short).id
    typ = f"aws:vpc/securityGroup{kind}Rule:SecurityGroup{kind}Rule"
    return [r.inputs for r in stack.by_type(typ) if r.inputs["securityGroupId"] == sg_id]


def test_the_alb_admits_only_the_configured_ranges(dev_stack, prod_stack):
    dev_in = {(r["cidrIpv4"], r["fromPort"]) for r in sg_rules(dev_stack, "alb-sg", "Ingress")}
    assert dev_in == {("10.0.0.0/8", 80), ("172.16.0.0/12", 80), ("192.168.0.0/16", 80)}
    prod_in = {(r["cidrIpv4"], r["fromPort"]) for r in sg_rules(prod_stack, "alb-sg", "Ingress")}
    assert prod_in == {("0.0.0.0/0", 443), ("0.0.0.0/0", 80)}
    out = sg_rules(prod_stack, "alb-sg", "Egress")
    assert [(r["referencedSecurityGroupId"], r["fromPort"]) for r in out] == [(child(prod_stack, "tasks-sg").id, 3000)]


@pytest.mark.parametrize("name", ["dev", "prod"])
def test_tasks_accept_only_the_alb_on_3000(name, dev_stack, prod_stack):
    stack = stacks(dev_stack, prod_stack)[name]
    rules = sg_rules(stack, "tasks-sg", "Ingress")
    assert rules == [{**rules[0], "referencedSecurityGroupId": child(stack, "alb-sg").id,
                      "fromPort": 3000, "toPort": 3000, "ipProtocol": "tcp"}]
    assert "cidrIpv4" not in rules[0]
    egress = {(r["fromPort"], r["cidrIpv4"]) for r in sg_rules(stack, "tasks-sg", "Egress")}
    assert egress == {(443, "0.0.0.0/0"), (8883, "0.0.0.0/0")}


def statements(stack: Capture, short: str) -> list[dict]:
    return policy_statements(child(stack, short).inputs["policy"])


def test_the_execution_role_reads_exactly_the_tiers_secrets_and_image(prod_stack):
    stmts = {s["Sid"]: s for s in statements(prod_stack, "execution-role-policy")}
    secrets = {child(prod_stack, "jwt-secret").outputs["arn"], child(prod_stack, "iot-certificate-secret").outputs["arn"]}
    assert stmts["ReadTierSecrets"]["Action"] == ["secretsmanager:GetSecretValue"]
    assert set(stmts["ReadTierSecrets"]["Resource"]) == secrets
    assert stmts["PullBridgeImage"]["Resource"] == [child(prod_stack, "repository").outputs["arn"]]
    assert stmts["WriteLogs"]["Resource"] == [child(prod_stack, "log-group").outputs["arn"] + ":*"]
    # The only "*": ecr:GetAuthorizationToken, which has no resource to scope to.
    starred = [s for s in stmts.values() if "*" in s["Resource"]]
    assert [(s["Action"], s["Resource"]) for s in starred] == [(["ecr:GetAuthorizationToken"], ["*"])]


def test_the_task_role_reads_only_its_broker_topics(prod_stack):
    stmts = {s["Sid"]: s for s in statements(prod_stack, "task-role-policy")}
    base = "arn:aws:iot:us-east-1:123456789012"
    service_name = child(prod_stack, "service").outputs["name"]
    assert stmts["ConnectAsTheBridge"]["Action"] == ["iot:Connect"]
    assert stmts["ConnectAsTheBridge"]["Resource"] == [f"{base}:client/{service_name}-*"]
    # Telemetry, and the alerts the ProcessingTier's relay republishes.
    assert stmts["SubscribeToDashboardTopics"]["Resource"] == [f"{base}:topicfilter/devices/*/telemetry",
                                                                f"{base}:topicfilter/alerts/*"]
    assert stmts["ReceiveDashboardTopics"]["Resource"] == [f"{base}:topic/devices/*/telemetry",
                                                           f"{base}:topic/alerts/*"]
    actions = {a for s in stmts.values() for a in s["Action"]}
    assert actions == {"iot:Connect", "iot:Subscribe", "iot:Receive"}  # no PutMetricData: EMF on stdout
    assert all("*" not in s["Resource"] for s in stmts.values())


def test_the_iot_certificate_carries_the_same_scoped_policy(prod_stack):
    iot = json.loads(child(prod_stack, "iot-policy").inputs["policy"])["Statement"]
    role = json.loads(child(prod_stack, "task-role-policy").inputs["policy"])["Statement"]
    assert iot == role
    attachment = child(prod_stack, "iot-policy-attachment").inputs
    assert attachment["target"] == child(prod_stack, "iot-certificate").outputs["arn"]
    assert attachment["policy"] == child(prod_stack, "iot-policy").outputs["name"]


@pytest.mark.parametrize("name", ["dev", "prod"])
def test_service_and_task_definition_declare_a_fargate_workload(name, dev_stack, prod_stack):
    stack = stacks(dev_stack, prod_stack)[name]
    for short in ("service", "task-definition"):
        tags = child(stack, short).inputs["tags"]
        assert (tags["workload:connections"], tags["workload:trigger"]) == ("persistent", "continuous")
        declared = declared_profile(tags)
        profile = WorkloadProfile(persistent_connections=declared.connections, trigger=declared.trigger,
                                  gpu=bool(declared.gpu), disk_gb=declared.disk_gb or 0)
        assert place(profile).service is Service.FARGATE


def test_the_image_is_built_for_arm64_into_an_immutable_scanned_repository(dev_stack, repo_root):
    image = child(dev_stack, "image")
    context = repo_root / "runtime" / "bridge"
    assert image.inputs["platforms"] == ["linux/arm64"]
    # The context is the bridge package's own folder (with its .dockerignore), not its parent,
    # named from the program's folder: the same on every machine, so docker-build does not
    # rebuild an unchanged image (and push its tag again) when a CI runner checks out elsewhere.
    assert image.inputs["context"] == {"location": "runtime/bridge"}
    assert image.inputs["dockerfile"] == {"location": "runtime/bridge/Dockerfile"}
    assert (context / ".dockerignore").exists()
    repo = child(dev_stack, "repository")
    assert repo.inputs["imageTagMutability"] == "IMMUTABLE"
    assert repo.inputs["imageScanningConfiguration"] == {"scanOnPush": True}
    # Pushed to that repository, logged in with a token for its registry.
    assert image.inputs["push"] is True
    (registry,) = image.inputs["registries"]
    assert registry["address"].endswith(repo.outputs["repositoryUrl"].split("/")[0])


def test_the_image_is_tagged_by_its_context_and_the_task_runs_that_push(dev_stack, repo_root):
    from iot_tiers.components.assets import image_tag
    from iot_tiers.components.realtime import IMAGE_BUILD

    image = child(dev_stack, "image")
    url = child(dev_stack, "repository").outputs["repositoryUrl"]
    tag = image_tag(repo_root / "runtime" / "bridge", build=IMAGE_BUILD)
    assert tag.startswith("ctx-") and len(tag) == 68
    assert image.inputs["tags"] == [f"{url}:{tag}"]
    # The task definition names the image by the digest of that push.
    assert containers(dev_stack)["bridge"]["image"] == f"{url}@{image.outputs['digest']}"
    assert image.outputs["ref"] == f"{url}:{tag}@{image.outputs['digest']}"


def test_previews_do_not_build_the_image_only_up_does(dev_stack, prod_stack):
    # awsx.ecr.Image builds on every preview (linux/arm64: QEMU on an x86 runner); docker-build skips it.
    for stack in (dev_stack, prod_stack):
        assert child(stack, "image").inputs["buildOnPreview"] is False


@pytest.mark.parametrize("name", ["dev", "prod"])
def test_pulumi_up_waits_for_a_steady_service_by_default(name, dev_stack, prod_stack):
    assert child(stacks(dev_stack, prod_stack)[name], "service").inputs["waitForSteadyState"] is True


def test_waiting_for_a_steady_service_can_be_turned_off(repo_root):
    capture = run_stack(repo_root, "dev", extra_config={"realtimeWaitForSteadyState": "false"})
    assert capture.one("aws:ecs/service:Service").inputs["waitForSteadyState"] is False


def test_the_stack_exports_the_dashboard_url_and_service(dev_stack):
    out = dev_stack.outputs
    assert out["dashboard_url"] == "http://" + child(dev_stack, "alb").outputs["dnsName"]
    assert out["bridge_service"] == child(dev_stack, "service").outputs["name"] == "iot-tiers-dev-realtime"
    assert out["bridge_cluster"] == child(dev_stack, "cluster").outputs["name"]
    assert out["vpc_id"] == vpc(dev_stack)["vpcId"]


def test_prod_keeps_its_load_balancer_and_logs_every_request_to_a_private_bucket(prod_stack):
    alb = child(prod_stack, "alb").inputs
    bucket = child(prod_stack, "access-logs")
    assert alb["enableDeletionProtection"] is True
    assert alb["accessLogs"] == {"bucket": bucket.outputs["bucket"], "enabled": True, "prefix": "realtime"}
    block = child(prod_stack, "access-logs-public-access-block").inputs
    assert all(block[k] is True for k in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls",
                                          "restrictPublicBuckets"))
    sse = child(prod_stack, "access-logs-encryption").inputs["rules"][0]
    assert sse["applyServerSideEncryptionByDefault"]["sseAlgorithm"] == "AES256"  # ALB logs: SSE-S3 only
    assert child(prod_stack, "access-logs-lifecycle").inputs["rules"][0]["expiration"]["days"] == 90
    stmts = {s["Sid"]: s for s in policy_statements(child(prod_stack, "access-logs-policy").inputs["policy"])}
    logs = f"{bucket.outputs['arn']}/realtime/AWSLogs/123456789012/*"
    assert stmts["ElbDelivers"]["Resource"] == [logs] and stmts["ElbDelivers"]["Action"] == ["s3:PutObject"]
    assert stmts["ElbDelivers"]["Principal"] == {"AWS": "arn:aws:iam::127311923021:root"}
    assert stmts["ElbLogDeliveryService"]["Resource"] == [logs]
    assert stmts["TlsOnly"]["Effect"] == "Deny"
    assert stmts["TlsOnly"]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_dev_keeps_no_access_logs_and_may_delete_its_load_balancer(dev_stack):
    alb = child(dev_stack, "alb").inputs
    assert alb["enableDeletionProtection"] is False
    assert "accessLogs" not in alb
    assert not [r for r in dev_stack.descendants(dev_stack.one(RT).urn) if r.type.startswith("aws:s3/")]
