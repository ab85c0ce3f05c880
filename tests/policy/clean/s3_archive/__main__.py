"""A telemetry archive bucket and its log bucket, each setting a resource of its own, built in a loop."""
import pulumi
import pulumi_aws as aws

account = aws.get_caller_identity_output().account_id
key = aws.kms.Key("archive-key", enable_key_rotation=True, policy=pulumi.Output.json_dumps({
    "Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": pulumi.Output.concat("arn:aws:iam::", account, ":root")},
         "Action": "kms:*", "Resource": "*"}]}))


def harden(name: str, bucket: aws.s3.Bucket, *, kms: bool) -> None:
    aws.s3.BucketPublicAccessBlock(f"{name}-pab", bucket=bucket.id, block_public_acls=True, block_public_policy=True,
                                   ignore_public_acls=True, restrict_public_buckets=True)
    aws.s3.BucketOwnershipControls(f"{name}-ownership", bucket=bucket.id, rule={"object_ownership": "BucketOwnerEnforced"})
    aws.s3.BucketVersioning(f"{name}-versioning", bucket=bucket.id, versioning_configuration={"status": "Enabled"})
    aws.s3.BucketServerSideEncryptionConfiguration(f"{name}-sse", bucket=bucket.id, rules=[{
        "apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms", "kms_master_key_id": key.arn},
        "bucket_key_enabled": True}])
    aws.s3.BucketLifecycleConfiguration(f"{name}-lifecycle", bucket=bucket.id, rules=[{
        "id": "tidy", "status": "Enabled", "filter": {"prefix": ""},
        "abort_incomplete_multipart_upload": {"days_after_initiation": 7},
        "noncurrent_version_expiration": {"noncurrent_days": 90}}])
    aws.s3.BucketPolicy(f"{name}-tls-only", bucket=bucket.id, policy=pulumi.Output.json_dumps({
        "Version": "2012-10-17", "Statement": [{
            "Sid": "TlsOnly", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
            "Resource": [bucket.arn, pulumi.Output.concat(bucket.arn, "/*")],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}))


logs = aws.s3.Bucket("access-logs")
archive = aws.s3.Bucket("archive", tags={"data": "telemetry"})
for name, bucket in (("access-logs", logs), ("archive", archive)):
    harden(name, bucket, kms=True)
aws.s3.BucketLogging("archive-logging", bucket=archive.id, target_bucket=logs.id, target_prefix="archive/")
pulumi.export("archive", archive.bucket)
