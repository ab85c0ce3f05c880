"""S3 buckets and ECR repositories: storage, usage-based ($0 until the usage file gives GB)."""

from __future__ import annotations

from ...graph import Node
from .. import formulas as f
from ..model import Priced
from ..registry import Context, free, pricer
from ..usage import UsageKey

free("a bucket's configuration is free (its storage is priced on the bucket)",
     "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
     "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
     "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
     "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
     "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2", "aws:s3/bucketPolicy:BucketPolicy",
     "aws:s3/bucketVersioning:BucketVersioning", "aws:s3/bucketVersioningV2:BucketVersioningV2",
     "aws:s3/bucketLogging:BucketLogging", "aws:s3/bucketLoggingV2:BucketLoggingV2",
     "aws:s3/bucketNotification:BucketNotification", "aws:s3/bucketAclV2:BucketAclV2")
free("a repository's policies are free (its storage is priced on the repository)",
     "aws:ecr/lifecyclePolicy:LifecyclePolicy", "aws:ecr/repositoryPolicy:RepositoryPolicy")
free("an image build is free: its layers are stored in its repository, priced there", "awsx:ecr:Image",
     "docker-build:index:Image", "docker:index/image:Image")

STORAGE = [UsageKey("storage_gb", "Data stored, GB (default: 0).")]


def _usage_based(ctx: Context, service: str, key: str, what: str) -> Priced:
    gb = ctx.use("storage_gb", 0)
    price = ctx.prices.price(key)
    return Priced(f.storage_costs(ctx.prices, service=service, key=key, gb=gb, what=what), {"storage_gb": gb},
                  usage_based=not gb,
                  note=f"cost depends on usage: ${price.usd:g} per GB-month (storage_gb in the usage file)")


@pricer("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2", usage=STORAGE)
def bucket(node: Node, ctx: Context) -> Priced:
    return _usage_based(ctx, "S3", "s3.standard.gb_month", "S3 Standard storage")


@pricer("aws:ecr/repository:Repository", usage=STORAGE)
def repository(node: Node, ctx: Context) -> Priced:
    return _usage_based(ctx, "ECR", "ecr.storage.gb_month", "image storage")
