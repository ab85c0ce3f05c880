"""Baseline for the handler benchmark: the decision guide's Node.js handler, in Python.

What the seed does, record by record: read ``deviceId, temperature, humidity,
timestamp``; refuse a temperature outside [-40, 125] (log and move on); PutItem
``pk=DEVICE#id, sk=TS#timestamp`` with a 90-day TTL; publish one SNS message when
the temperature is above 80. Its clients are created at module load, as the seed's
``new AWS.DynamoDB.DocumentClient()`` is. An SQS batch is handled by running the
seed's per-reading logic for each record.

For a fair (strong) baseline it uses the low-level client, which is cheaper to load
than ``boto3.resource``, the closer analogue of the DocumentClient.
"""

from __future__ import annotations

import json
import os
import time

import boto3

_dynamodb = boto3.client("dynamodb")
_sns = boto3.client("sns")


def handler(event, context):
    records = event["Records"] if isinstance(event, dict) and "Records" in event else None
    if records is None:
        return _process(event)
    for record in records:
        _process(json.loads(record["body"]))
    return {"statusCode": 200}


def _process(event):
    device_id = event.get("deviceId")
    temperature = event.get("temperature")
    humidity = event.get("humidity")
    timestamp = event.get("timestamp")

    if temperature < -40 or temperature > 125:
        print(f"Out-of-range reading from {device_id}: {temperature}°C")
        return {"statusCode": 400, "body": "Invalid reading"}

    item = {
        "pk": {"S": f"DEVICE#{device_id}"},
        "sk": {"S": f"TS#{timestamp}"},
        "temperature": {"N": str(temperature)},
        "ttl": {"N": str(int(time.time()) + 7776000)},  # 90-day TTL
    }
    if humidity is not None:
        item["humidity"] = {"N": str(humidity)}
    _dynamodb.put_item(TableName=os.environ["TABLE_NAME"], Item=item)

    if temperature > 80:
        _sns.publish(
            TopicArn=os.environ["ALERT_TOPIC_ARN"],
            Message=json.dumps({"deviceId": device_id, "temperature": temperature, "timestamp": timestamp}),
            Subject="High temperature alert",
        )
    return {"statusCode": 200}
