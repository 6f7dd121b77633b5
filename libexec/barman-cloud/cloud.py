#!/usr/bin/env python3
# What the barman-cloud commands do not offer, done through Barman's own cloud library (the same endpoint,
# credentials and CA handling as barman-cloud-wal-restore):
#   list-wal       the WAL segments a destination holds for a server, one per line, sorted (read-only)
#   delete-server  every object of one server (pgdrill runs it only on its own drill's server, at the end)
# Usage: cloud.py <list-wal|delete-server> <url> <server_name> [--endpoint-url URL] [--cloud-provider P] [--profile P]
import argparse
import sys

from barman import xlog
from barman.cloud import CloudBackupCatalog
from barman.cloud_providers import get_cloud_interface

parser = argparse.ArgumentParser()
parser.add_argument("action", choices=["list-wal", "delete-server"])
parser.add_argument("source_url")
parser.add_argument("server_name")
parser.add_argument("--endpoint-url", dest="endpoint_url")
parser.add_argument("--cloud-provider", dest="cloud_provider", default="aws-s3")
parser.add_argument("--profile", "-P", dest="profile")
parser.add_argument("--read-timeout", dest="read_timeout", type=int, default=60)
args = parser.parse_args()
args.credential = None
cloud = get_cloud_interface(args)

if args.action == "list-wal":
    names = sorted(n for n in CloudBackupCatalog(cloud, args.server_name).get_wal_paths() if xlog.is_wal_file(n))
    sys.stdout.write("".join(n + "\n" for n in names))
else:
    prefix = (cloud.path + "/" if cloud.path else "") + args.server_name + "/"
    keys = list(cloud.list_bucket(prefix, delimiter=""))
    if keys:
        cloud.delete_objects(keys)
    print(len(keys))
