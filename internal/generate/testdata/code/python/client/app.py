"""Nightly report job."""
import os

import boto3

BUCKET = "synthcoreai-reports"
s3 = boto3.client("s3", region_name="eu-west-1")
secrets = boto3.session.Session().client(service_name="secretsmanager", region_name="eu-west-1")
sqs = boto3.client('sqs')


def run(day):
    password = secrets.get_secret_value(SecretId="synthcoreai/db-password")["SecretString"]
    s3.upload_file("/tmp/report.csv", BUCKET, f"daily/{day}.csv")
    listing = s3.list_objects_v2(Bucket=BUCKET, Prefix="daily/")
    url = s3.generate_presigned_url("get_object", Params={"Bucket": BUCKET, "Key": "daily/latest.csv"}, ExpiresIn=300)
    sqs.send_message(
        QueueUrl="https://sqs.eu-west-1.amazonaws.com/123456789012/synthcoreai-reports",
        MessageBody=url,
    )
    paginator = s3.get_paginator("list_objects_v2")
    for page in paginator.paginate(Bucket="synthcoreai-archive"):
        print(page)
    # s3.delete_object(Bucket=BUCKET, Key="x")  -- commented out: not a call
    return password, listing


def archive(day):
    params = {"Bucket": "synthcoreai-archive", "Key": "reports/latest.csv"}
    s3.copy_object(CopySource=f"{BUCKET}/daily/{day}.csv", **params)


def restore():
    s3.copy_object(Bucket=BUCKET, Key="daily/latest.csv", CopySource={"Bucket": "synthcoreai-archive", "Key": "reports/latest.csv"})
