"""A container registry for the bridge image: scanned, immutable, pruned, KMS-encrypted, shared with one account."""
import json

import pulumi
import pulumi_aws as aws

repo = aws.ecr.Repository("bridge", image_tag_mutability="IMMUTABLE",
                          image_scanning_configuration={"scan_on_push": True},
                          encryption_configurations=[{"encryption_type": "KMS",
                                                      "kms_key": "arn:aws:kms:us-east-1:123456789012:key/1a2b3c4d-0000-1111-2222-333344445555"}])
aws.ecr.LifecyclePolicy("bridge-lifecycle", repository=repo.name, policy=json.dumps({"rules": [
    {"rulePriority": 1, "description": "drop untagged images after a day",
     "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed", "countUnit": "days", "countNumber": 1},
     "action": {"type": "expire"}},
    {"rulePriority": 2, "description": "keep the 30 newest",
     "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 30},
     "action": {"type": "expire"}}]}))
aws.ecr.RepositoryPolicy("bridge-pull-from-prod", repository=repo.name, policy=json.dumps({
    "Version": "2012-10-17", "Statement": [{
        "Sid": "ProdPulls", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::210987654321:root"},
        "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"]}]}))
pulumi.export("repository_url", repo.repository_url)
