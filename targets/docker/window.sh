#!/bin/sh
# Stops or starts ToolJet's Docker Compose services for the maintenance-window cutover
# (docs/cutover-and-rollback.md "What stop and start do on each target"), in the folder of ToolJet's
# docker-compose.yaml (targets.docker.directory) on the machine that runs `pulumi up`.
#
#   stop:  `docker compose stop <services>` (targets.docker.services, default tooljet; PostgREST runs inside it) and
#          check that none of them is still running. Compose keeps the containers' configuration: nothing to record.
#   start: `docker compose up -d`, which recreates the containers with the .env and override the Docker target wrote
#          (that is the re-point: Node reads NODE_EXTRA_CA_CERTS only at start), then wait until the first service
#          logs "TOOLJET APPLICATION STARTED SUCCESSFULLY". A re-run that finds the same container already running
#          does not wait again.
#
# Run by a local.Command (components/cutover/tooljet-window.ts) through `/bin/sh -c`; never during `pulumi preview`.
# Inputs, from the environment only:
#   TJ_ACTION            stop | start
#   TJ_DOCKER_DIR        the compose folder
#   TJ_DOCKER_SERVICES   compose services, separated by commas (the first is the one whose start is awaited)
#   TJ_TIMEOUT_SECONDS   start only: how long to wait for the startup line, default 900
#   TJ_POLL_SECONDS      seconds between two checks, default 5
#   TJ_STOPPED_EPOCH     start only, optional: when the stop finished (from its output), to print the downtime
set -eu
set -f

me=tooljet-docker
STARTED_LINE='TOOLJET APPLICATION STARTED SUCCESSFULLY'
# fail, note, is_count, check_action, read_budget, downtime_since_stop: tooljet-common.sh
check_action
dir=${TJ_DOCKER_DIR:-}
[ -n "$dir" ] || fail "TJ_DOCKER_DIR is not set"
[ -n "${TJ_DOCKER_SERVICES:-}" ] || fail "TJ_DOCKER_SERVICES is not set"
services=$(printf '%s' "$TJ_DOCKER_SERVICES" | tr ',' ' ')
for s in $services; do
  case $s in
    *[!A-Za-z0-9._-]*) fail "TJ_DOCKER_SERVICES: \"$s\" is not a compose service name" ;;
  esac
done
# shellcheck disable=SC2086 # the first service name
set -- $services
first=$1
read_budget 900 5
waited=0

command -v docker >/dev/null 2>&1 ||
  fail "docker is not on PATH; run pulumi up on the Docker host (Docker Compose v2), or set maintenanceWindow: false and stop ToolJet yourself"
cd "$dir" 2>/dev/null || fail "cannot enter targets.docker.directory $dir"
# The window needs Compose v2 (`docker compose`): `ps --status` and `logs --since` are not in docker-compose 1.x.
docker compose version >/dev/null 2>&1 ||
  fail "docker compose (Compose v2, the docker-compose-plugin package) is not available: the window stops and starts ToolJet with it (docker-compose 1.x lacks ps --status and logs --since); install it, or set maintenanceWindow: false and stop ToolJet yourself"

running_services() {
  docker compose ps --status running --services ||
    fail "docker compose ps in $dir failed (error above); is it the folder of ToolJet's docker-compose.yaml (targets.docker.directory)?"
}

if [ "$TJ_ACTION" = stop ]; then
  # shellcheck disable=SC2086 # one argument per service
  docker compose stop $services >&2 ||
    fail "docker compose stop $services in $dir failed (error above); ToolJet may still run, nothing after this step ran"
  running=$(running_services)
  for s in $services; do
    for r in $running; do
      [ "$r" != "$s" ] || fail "service $s is still running after docker compose stop in $dir; nothing after this step ran"
    done
  done
  printf 'tooljet=stopped kind=docker directory=%s services=%s stoppedAt=%s stoppedEpoch=%s\n' \
    "$dir" "$TJ_DOCKER_SERVICES" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$(date +%s)"
  exit 0
fi

before=$(docker compose ps -q --status running "$first") ||
  fail "docker compose ps in $dir failed (error above); is it the folder of ToolJet's docker-compose.yaml (targets.docker.directory)?"
since=$(date -u +%Y-%m-%dT%H:%M:%SZ)
docker compose up -d >&2 ||
  fail "docker compose up -d in $dir failed (error above); ToolJet is still stopped. Fix it and run pulumi up again (or docker compose up -d there)"
while :; do
  now_running=$(docker compose ps -q --status running "$first") || now_running=
  [ -n "$now_running" ] ||
    fail "service $first is not running after docker compose up -d in $dir; read docker compose logs $first, fix, and run pulumi up again"
  if [ -n "$before" ] && [ "$before" = "$now_running" ]; then
    note "service $first was already running (started by an earlier run); not waiting for its startup line"
    break
  fi
  logs=$(docker compose logs --no-color --since "$since" "$first" 2>&1) || logs=
  case $logs in
    *"$STARTED_LINE"*) break ;;
  esac
  [ "$waited" -lt "$timeout" ] ||
    fail "timed out after ${timeout}s waiting for \"$STARTED_LINE\" in the log of $first; read docker compose logs $first in $dir, fix, and run pulumi up again"
  sleep "$poll"
  waited=$((waited + step))
done
downtime=$(downtime_since_stop)
printf 'tooljet=started kind=docker directory=%s services=%s startedAt=%s downtimeSeconds=%s\n' \
  "$dir" "$TJ_DOCKER_SERVICES" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$downtime"
