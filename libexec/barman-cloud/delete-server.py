#!/usr/bin/env python3
# Deletes every object of one server in a barman-cloud destination (its base backups and WAL), through Barman's
# own cloud library. pgdrill runs it only on the server of its own drill, when the drill ends.
# Usage: delete-server.py <destination_url> <server_name> [--endpoint-url URL] [--cloud-provider aws-s3] [--profile P]
import argparse

from barman.cloud_providers import get_cloud_interface

parser = argparse.ArgumentParser()
parser.add_argument("destination_url")
parser.add_argument("server_name")
parser.add_argument("--endpoint-url", dest="endpoint_url")
parser.add_argument("--cloud-provider", dest="cloud_provider", default="aws-s3")
parser.add_argument("--profile", "-P", dest="profile")
parser.add_argument("--read-timeout", dest="read_timeout", type=int, default=60)
args = parser.parse_args()
args.credential = None
cloud = get_cloud_interface(args)
prefix = (cloud.path + "/" if cloud.path else "") + args.server_name + "/"
keys = list(cloud.list_bucket(prefix, delimiter=""))
if keys:
    cloud.delete_objects(keys)
print(len(keys))
