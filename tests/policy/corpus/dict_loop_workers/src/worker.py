import os


def main(event, context):
    kind = os.environ["JOB_KIND"]
    for record in event["Records"]:
        print(kind, record["messageId"])
