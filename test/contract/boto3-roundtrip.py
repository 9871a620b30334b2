"""Puts and gets an object on filmroom's S3 endpoint with boto3, as docs/troubleshooting.md says to
configure it. Arguments: endpoint, access key, secret key, bucket, key, and 'when_required' or
'when_supported' (boto3's own default) for the checksum settings. Prints the bytes read back."""
import sys

import boto3
from botocore.config import Config

endpoint, access_key, secret_key, bucket, key, checksums = sys.argv[1:7]
s3 = boto3.client(
    "s3",
    endpoint_url=endpoint,
    aws_access_key_id=access_key,
    aws_secret_access_key=secret_key,
    region_name="us-east-1",
    config=Config(request_checksum_calculation=checksums, response_checksum_validation=checksums),
)
s3.put_object(Bucket=bucket, Key=key, Body=b"filmroom boto3 round trip")
print(s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode())
