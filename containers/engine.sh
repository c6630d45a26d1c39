# Sourced by containers/test.sh. A container engine for the tests: the one that answers
# (DOCKER_HOST, or Docker's or Podman's socket), else, as root on Debian, Debian's dockerd started
# on a socket and data root of its own under $state_dir, which stop_engine stops. Without
# iptables: containers reach each other and published ports on 127.0.0.1, not the outside.

engine_started_here=false

install_debian_packages() {
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
    echo "no container engine answers, and installing $* needs root on Debian" >&2
    return 1
  fi
  echo "== apt-get install $*" >&2
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

engine_answers() { timeout 20 docker info >/dev/null 2>&1; }

# Starts dockerd with a storage driver; 0 once it answers.
start_dockerd() {
  local driver=$1 socket="$state_dir/docker.sock"
  rm -f "$socket"
  export DOCKER_HOST="unix://$socket"
  setsid dockerd --storage-driver="$driver" --iptables=false --ip6tables=false \
    --data-root "$state_dir/engine-$driver" --exec-root "$state_dir/exec" \
    --pidfile "$state_dir/dockerd.pid" --host "$DOCKER_HOST" \
    >"$state_dir/dockerd.log" 2>&1 </dev/null &
  echo $! >"$state_dir/dockerd.started"
  for _ in $(seq 60); do
    engine_answers && return 0
    kill -0 "$(cat "$state_dir/dockerd.started")" 2>/dev/null || break
    sleep 1
  done
  stop_dockerd
  return 1
}

stop_dockerd() {
  local pid
  pid=$(cat "$state_dir/dockerd.started" 2>/dev/null) || return 0
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 30); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 1
  done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$state_dir/dockerd.started"
}

start_engine() {
  if engine_answers; then
    echo "== container engine: ${DOCKER_HOST:-the default socket}" >&2
    return 0
  fi
  local missing=()
  for command in dockerd docker docker-compose debootstrap; do
    command -v "$command" >/dev/null || missing+=("$command")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    install_debian_packages docker.io docker-compose debootstrap || return 1
  fi
  mkdir -p "$state_dir"
  # A previous run that was killed may have left its dockerd.
  stop_dockerd
  # overlay2 where the kernel allows it (fast); vfs (a copy per layer) everywhere else.
  for driver in overlay2 vfs; do
    if start_dockerd "$driver"; then
      engine_started_here=true
      echo "== container engine: dockerd ($driver) on $DOCKER_HOST" >&2
      return 0
    fi
    echo "dockerd with $driver did not answer:" >&2
    tail -n 5 "$state_dir/dockerd.log" >&2
  done
  return 1
}

# Stops the dockerd started here, with every container, network and volume the tests left in it
# (its images stay, for the next run). An engine that was already there keeps everything but the
# containers the tests labelled.
stop_engine() {
  if [ "$engine_started_here" = true ]; then
    docker ps -aq | xargs -r docker rm -f -v >/dev/null 2>&1 || true
    docker network prune -f >/dev/null 2>&1 || true
    docker volume prune -f >/dev/null 2>&1 || true
    docker image prune -f >/dev/null 2>&1 || true
    stop_dockerd
    echo "== container engine stopped" >&2
  else
    docker ps -aq --filter label=org.testcontainers=true | xargs -r docker rm -f -v >/dev/null 2>&1 || true
  fi
}
