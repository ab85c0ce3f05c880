"""One queue and one worker function per job kind."""
import json

import pulumi
import pulumi_aws as aws

JOBS = {
    "orders": {"timeout": 60, "memory": 512, "batch": 10},
    "invoices": {"timeout": 300, "memory": 1024, "batch": 5},
    # the monthly statements run is slow; give it everything Lambda used to allow
    "statements": {"timeout": 900, "memory": 3008, "batch": 1},
}

assume = json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                   "Action": "sts:AssumeRole"}],
})

role = aws.iam.Role("worker-role", assume_role_policy=assume)
aws.iam.RolePolicyAttachment("worker-logs", role=role.name,
                             policy_arn=aws.iam.ManagedPolicy.AWS_LAMBDA_BASIC_EXECUTION_ROLE)

queues = {}
functions = {}
for job, spec in JOBS.items():
    q = aws.sqs.Queue(f"{job}-jobs", visibility_timeout_seconds=spec["timeout"] * 6)
    fn = aws.lambda_.Function(
        f"{job}-worker",
        role=role.arn,
        runtime=aws.lambda_.Runtime.PYTHON3D12,
        handler="worker.main",
        code=pulumi.FileArchive("./src"),
        timeout=spec["timeout"],
        memory_size=spec["memory"],
        environment={"variables": {"JOB_KIND": job}},
    )
    aws.lambda_.EventSourceMapping(f"{job}-esm", event_source_arn=q.arn, function_name=fn.name,
                                   batch_size=spec["batch"])
    queues[job], functions[job] = q, fn

aws.iam.RolePolicy("worker-queues", role=role.id, policy=pulumi.Output.all(*[q.arn for q in queues.values()]).apply(
    lambda arns: json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Resource": arns,
        "Action": ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"]}]})))

pulumi.export("queues", {job: q.url for job, q in queues.items()})
