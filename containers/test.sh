#!/usr/bin/env bash
# The container path (`npm run test:containers`): the API contract suite against the service in
# its container and Postgres in its container, over their published ports, and the
# docker-compose.yml stack brought up, queried and taken down (test/compose-stack.test.ts).
# Images: ATTEST_IMAGES=registry (default: postgres:17, the Dockerfile on node:20) or debian
# (built here, see containers/images.sh). An engine is started when none answers, and stopped.
set -euo pipefail
shopt -s inherit_errexit
repo_root=$(cd "$(dirname "$0")/.." && pwd)
# Outside the clone, so that every clone on this machine reuses the engine's images.
state_dir=${ATTEST_CONTAINERS_DIR:-/var/lib/attest-containers}
source "$repo_root/containers/engine.sh"
source "$repo_root/containers/images.sh"

start_engine
trap stop_engine EXIT
started=$SECONDS
prepare_images
echo "== images ready in $((SECONDS - started)) s" >&2

# testcontainers' reaper is an image of its own, which cannot be pulled everywhere: the tests stop
# their containers, and stop_engine removes any that a killed run left.
export TESTCONTAINERS_RYUK_DISABLED=true TESTCONTAINERS_HOST_OVERRIDE=127.0.0.1
cd "$repo_root"
env -u DATABASE_URL -u TEST_DATABASE_URL ATTEST_COMPOSE_TEST=1 \
  npx vitest run test/api test/compose-stack.test.ts "$@"
