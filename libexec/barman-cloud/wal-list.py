#!/usr/bin/env python3
# Lists the WAL segments a barman-cloud destination holds, through Barman's own cloud library (the same
# endpoint, credentials and CA handling as barman-cloud-wal-restore), one name per line, sorted. Read-only.
# Usage: wal-list.py <source_url> <server_name> [--endpoint-url URL] [--cloud-provider aws-s3] [--profile P]
import argparse
import sys

from barman import xlog
from barman.cloud import CloudBackupCatalog
from barman.cloud_providers import get_cloud_interface

parser = argparse.ArgumentParser()
parser.add_argument("source_url")
parser.add_argument("server_name")
parser.add_argument("--endpoint-url", dest="endpoint_url")
parser.add_argument("--cloud-provider", dest="cloud_provider", default="aws-s3")
parser.add_argument("--profile", "-P", dest="profile")
parser.add_argument("--read-timeout", dest="read_timeout", type=int, default=60)
args = parser.parse_args()
args.credential = None
catalog = CloudBackupCatalog(get_cloud_interface(args), args.server_name)
names = sorted(n for n in catalog.get_wal_paths() if xlog.is_wal_file(n))
sys.stdout.write("".join(n + "\n" for n in names))
