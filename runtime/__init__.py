"""Code that runs inside the tiers: ``processing`` (the Lambda handlers) and ``bridge``
(the Fargate service). Nothing here imports Pulumi: it ships into a Lambda archive and
a container image, each built from this package alone (see iot_tiers.components.assets).
"""
