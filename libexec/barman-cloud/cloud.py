#!/usr/bin/env python3
# What the barman-cloud commands do not offer, done through Barman's own cloud library (the same endpoint,
# credentials and CA handling as barman-cloud-wal-restore):
#   list-wal       the WAL segments a destination holds for a server, one per line, sorted (read-only)
#   delete-server  every object of one server (pgdrill runs it only on its own drill's server, at the end)
#   delete-wal     one WAL segment's object (the missing-wal incident, on pgdrill's own drill server only)
#   damage-backup  16 bytes flipped in the middle of the largest relation file inside a base backup's data.tar
#                  (the corrupt-backup incident, on pgdrill's own drill server only); prints what was changed as JSON
#   backup-times   every backup's begin and end time with its UTC offset, as JSON (barman-cloud-backup-show prints
#                  them with ctime(), in the database's time zone and without the offset; backup.info keeps it)
# Usage: cloud.py <action> <url> <server_name> [segment|backup_id] [--endpoint-url URL] [--cloud-provider P] [--profile P]
import argparse
import json
import os
import re
import sys
import tarfile
import tempfile

from barman import xlog
from barman.cloud import CloudBackupCatalog
from barman.cloud_providers import get_cloud_interface

parser = argparse.ArgumentParser()
parser.add_argument("action", choices=["list-wal", "delete-server", "delete-wal", "damage-backup", "backup-times"])
parser.add_argument("source_url")
parser.add_argument("server_name")
parser.add_argument("name", nargs="?")
parser.add_argument("--endpoint-url", dest="endpoint_url")
parser.add_argument("--cloud-provider", dest="cloud_provider", default="aws-s3")
parser.add_argument("--profile", "-P", dest="profile")
parser.add_argument("--read-timeout", dest="read_timeout", type=int, default=60)
args = parser.parse_args()
args.credential = None
cloud = get_cloud_interface(args)

catalog = CloudBackupCatalog(cloud, args.server_name)
if args.action == "backup-times":
    times = {}
    for backup_id, info in catalog.get_backup_list().items():
        times[backup_id] = {
            "status": info.status,
            "begin": info.begin_time.isoformat() if info.begin_time else None,
            "end": info.end_time.isoformat() if info.end_time else None,
        }
    print(json.dumps(times))
elif args.action == "list-wal":
    names = sorted(n for n in catalog.get_wal_paths() if xlog.is_wal_file(n))
    sys.stdout.write("".join(n + "\n" for n in names))
elif args.action == "delete-wal":
    key = catalog.get_wal_paths().get(args.name)
    if key is None:
        sys.exit("WAL segment %s is not in %s for server %s" % (args.name, args.source_url, args.server_name))
    cloud.delete_objects([key])
    print(key)
elif args.action == "damage-backup":
    info = catalog.get_backup_info(args.name)
    if info is None:
        sys.exit("backup %s is not in %s for server %s" % (args.name, args.source_url, args.server_name))
    data = catalog.get_backup_files(info)[None]
    if data.compression is not None:
        sys.exit("the base backup %s is compressed (%s); pgdrill damages uncompressed backups only" % (data.path, data.compression))
    with tempfile.TemporaryDirectory() as tmp:
        local = os.path.join(tmp, "data.tar")
        cloud.download_file(data.path, local, None)
        with tarfile.open(local) as tar:
            members = [m for m in tar.getmembers() if m.isfile() and re.match(r"^(\./)?base/\d+/\d+$", m.name)]
        victim = max(members, key=lambda m: m.size, default=None)
        if victim is None or victim.size < 64:
            sys.exit("no relation file to damage in %s" % data.path)
        offset = victim.offset_data + victim.size // 2
        with open(local, "r+b") as f:
            f.seek(offset)
            chunk = f.read(16)
            f.seek(offset)
            f.write(bytes(b ^ 0xFF for b in chunk))
        with open(local, "rb") as f:
            cloud.upload_fileobj(f, data.path)
    print(json.dumps({"key": data.path, "member": victim.name.lstrip("./"), "offset": victim.size // 2}))
else:
    prefix = (cloud.path + "/" if cloud.path else "") + args.server_name + "/"
    keys = list(cloud.list_bucket(prefix, delimiter=""))
    if keys:
        cloud.delete_objects(keys)
    print(len(keys))
