#!/bin/sh
# Stops or starts the existing ToolJet ECS service for the maintenance-window cutover
# (docs/cutover-and-rollback.md "What stop and start do on each target"). The service is not
# owned by the stack; this changes only its desired count.
#
#   stop:  record the desired count in a tag on the service (tooljet-pg-upgrade:desired-count) and, when the service
#          has an Application Auto Scaling target, its suspended state in a second tag written in the same call
#          (tooljet-pg-upgrade:scaling-suspended = in=<bool>/out=<bool>/scheduled=<bool>); suspend dynamic scaling
#          in and out and scheduled scaling (otherwise scaling could raise the desired count mid-window); set the
#          desired count to 0, and wait until no task of the service runs any more (RUNNING, PENDING or still
#          stopping). The tags are the durable record: a crash between stop and start loses nothing, and a re-run
#          keeps the recorded count and state instead of recording 0 or "suspended". A service already at 0 without
#          the tag is refused (start would not know what to restore).
#   start: set the desired count back to the recorded one, wait until the service is stable (one deployment, all
#          tasks running, not FAILED), put the scalable target's suspended state back exactly as recorded, then
#          remove the tags. A re-run after that finds the service running: it only waits for it.
#
# Run by a local.Command (components/cutover/tooljet-window.ts) through `/bin/sh -c`; never during `pulumi preview`.
# Inputs, from the environment only:
#   TJ_ACTION            stop | start
#   TJ_ECS_CLUSTER       cluster name or ARN
#   TJ_ECS_SERVICE       service name
#   TJ_TIMEOUT_SECONDS   total time to wait, default 1800
#   TJ_POLL_SECONDS      seconds between two describe calls, default 15
#   TJ_STOPPED_EPOCH     start only, optional: when the stop finished (from its output), to print the downtime
#   AWS_REGION / AWS_PROFILE and the rest of the AWS CLI's usual environment
set -eu
set -f

me=tooljet-ecs
TAG=tooljet-pg-upgrade:desired-count
SCALING_TAG=tooljet-pg-upgrade:scaling-suspended
# fail, note, is_count, check_action, read_budget, downtime_since_stop: tooljet-common.sh
check_action
[ -n "${TJ_ECS_CLUSTER:-}" ] || fail "TJ_ECS_CLUSTER is not set"
[ -n "${TJ_ECS_SERVICE:-}" ] || fail "TJ_ECS_SERVICE is not set"
read_budget 1800 15
waited=0

command -v aws >/dev/null 2>&1 ||
  fail "the AWS CLI (aws) is not on PATH; install AWS CLI v2 on the machine that runs pulumi up, then run pulumi up again"

where="service $TJ_ECS_SERVICE in cluster $TJ_ECS_CLUSTER"
describe() {
  aws ecs describe-services --cluster "$TJ_ECS_CLUSTER" --services "$TJ_ECS_SERVICE" --query "$1" --output text ||
    fail "aws ecs describe-services for $where failed (AWS CLI error above); check credentials, region, ecs:DescribeServices and targets.ecs.cluster"
}

out=$(describe 'services[0].[status,serviceArn,desiredCount]')
# shellcheck disable=SC2086 # split the tab-separated fields on purpose
set -- $out
if [ "$#" -ne 3 ] || [ "$1" != ACTIVE ]; then
  fail "$where is not an active service (describe-services: $out); check targets.ecs.cluster and targets.ecs.service (aws ecs list-services --cluster $TJ_ECS_CLUSTER)"
fi
arn=$2 desired=$3
is_count "$desired" || fail "unexpected desired count from describe-services: $desired"

recorded=$(aws ecs list-tags-for-resource --resource-arn "$arn" --query "tags[?key=='$TAG'].value | [0]" --output text) ||
  fail "aws ecs list-tags-for-resource $arn failed (AWS CLI error above); check ecs:ListTagsForResource"
[ "$recorded" != None ] || recorded=
if [ -n "$recorded" ] && ! is_count "$recorded"; then
  fail "the tag $TAG on $where holds \"$recorded\", not a task count; set it to the count ToolJet runs with (aws ecs tag-resource --resource-arn $arn --tags key=$TAG,value=<n>) and run pulumi up again"
fi

# Application Auto Scaling: the scalable target of the service's desired count, if any. Its resource id needs the
# cluster's name (TJ_ECS_CLUSTER may be an ARN: .../cluster/<name>).
scaling_id="service/${TJ_ECS_CLUSTER##*/}/$TJ_ECS_SERVICE"
# "in=<bool>/out=<bool>/scheduled=<bool>" -> in, out, scheduled; fails for anything else.
parse_scaling() {
  for i in true false; do
    for o in true false; do
      for c in true false; do
        if [ "$1" = "in=$i/out=$o/scheduled=$c" ]; then
          s_in=$i s_out=$o s_sched=$c
          return 0
        fi
      done
    done
  done
  return 1
}
bool() {
  case $1 in
    True | true) echo true ;;
    False | false | None) echo false ;;
    *) return 1 ;;
  esac
}
# Sets `scaling` to the current state ("in=.../out=.../scheduled=...") or "" when the service has no scalable target.
read_scaling() {
  out=$(aws application-autoscaling describe-scalable-targets --service-namespace ecs --scalable-dimension ecs:service:DesiredCount \
    --resource-ids "$scaling_id" \
    --query 'ScalableTargets[0].[ResourceId,SuspendedState.DynamicScalingInSuspended,SuspendedState.DynamicScalingOutSuspended,SuspendedState.ScheduledScalingSuspended]' \
    --output text) ||
    fail "aws application-autoscaling describe-scalable-targets for $where failed (AWS CLI error above); check application-autoscaling:DescribeScalableTargets"
  if [ "$out" = None ] || [ -z "$out" ]; then
    scaling=
    return 0
  fi
  # shellcheck disable=SC2086 # split the tab-separated fields on purpose
  set -- $out
  if [ "$#" -ne 4 ] || [ "$1" != "$scaling_id" ]; then fail "unexpected answer from describe-scalable-targets: $out"; fi
  if ! a=$(bool "$2") || ! b=$(bool "$3") || ! c=$(bool "$4"); then fail "unexpected answer from describe-scalable-targets: $out"; fi
  scaling="in=$a/out=$b/scheduled=$c"
}
# Registers the scalable target's suspended state (only the state: RegisterScalableTarget leaves unspecified
# parameters of an existing target unchanged).
set_scaling() {
  parse_scaling "$1" || fail "internal: bad scaling state $1"
  aws application-autoscaling register-scalable-target --service-namespace ecs --scalable-dimension ecs:service:DesiredCount \
    --resource-id "$scaling_id" \
    --suspended-state "DynamicScalingInSuspended=$s_in,DynamicScalingOutSuspended=$s_out,ScheduledScalingSuspended=$s_sched" \
    --query 'ScalableTargetARN' --output text >/dev/null
}

recorded_scaling=$(aws ecs list-tags-for-resource --resource-arn "$arn" --query "tags[?key=='$SCALING_TAG'].value | [0]" --output text) ||
  fail "aws ecs list-tags-for-resource $arn failed (AWS CLI error above); check ecs:ListTagsForResource"
[ "$recorded_scaling" != None ] || recorded_scaling=
if [ -n "$recorded_scaling" ] && ! parse_scaling "$recorded_scaling"; then
  fail "the tag $SCALING_TAG on $where holds \"$recorded_scaling\", not in=<true|false>/out=<true|false>/scheduled=<true|false>; set it to the suspended state the scalable target $scaling_id had before the window (aws ecs tag-resource --resource-arn $arn --tags key=$SCALING_TAG,value=in=false/out=false/scheduled=false) and run pulumi up again"
fi

# Tasks of the service that may still talk to the database: RUNNING/PENDING ones, and those told to stop that have
# not stopped yet (they finish in-flight requests during the stop timeout).
alive() {
  counts=$(describe 'services[0].[runningCount,pendingCount]')
  # shellcheck disable=SC2086
  set -- $counts
  if [ "$#" -ne 2 ] || ! is_count "$1" || ! is_count "$2"; then fail "unexpected answer from describe-services: $counts"; fi
  n=$(($1 + $2))
  stopping=$(aws ecs list-tasks --cluster "$TJ_ECS_CLUSTER" --service-name "$TJ_ECS_SERVICE" --desired-status STOPPED \
    --max-items 100 --query 'taskArns' --output text) ||
    fail "aws ecs list-tasks for $where failed (AWS CLI error above); check ecs:ListTasks"
  if [ -n "$stopping" ] && [ "$stopping" != None ]; then
    # shellcheck disable=SC2086 # one argument per task ARN
    left=$(aws ecs describe-tasks --cluster "$TJ_ECS_CLUSTER" --tasks $stopping --query "length(tasks[?lastStatus!='STOPPED'])" --output text) ||
      fail "aws ecs describe-tasks for $where failed (AWS CLI error above); check ecs:DescribeTasks"
    is_count "$left" || fail "unexpected answer from describe-tasks: $left"
    n=$((n + left))
  fi
  echo "$n"
}

if [ "$TJ_ACTION" = stop ]; then
  read_scaling
  [ -n "$recorded" ] || [ "$desired" -gt 0 ] ||
    fail "$where has desired count 0 and no recorded count (tag $TAG), so start would not know what to restore; if ToolJet should run <n> tasks, record it (aws ecs tag-resource --resource-arn $arn --tags key=$TAG,value=<n>) and run pulumi up again"
  # One tag-resource call writes what is not recorded yet: the count and, with a scalable target, its state.
  set --
  what=
  if [ -z "$recorded" ]; then
    set -- "$@" "key=$TAG,value=$desired"
    what="the desired count $desired"
  fi
  if [ -z "$recorded_scaling" ] && [ -n "$scaling" ]; then
    set -- "$@" "key=$SCALING_TAG,value=$scaling"
    what="${what:+$what and }the scaling state $scaling"
  fi
  if [ "$#" -gt 0 ]; then
    aws ecs tag-resource --resource-arn "$arn" --tags "$@" ||
      fail "could not record $what on $where (aws ecs tag-resource, AWS CLI error above); nothing was stopped. Check ecs:TagResource (the service needs the long ARN format), then run pulumi up again"
  fi
  if [ -n "$recorded" ]; then
    note "$where: keeping the desired count $recorded recorded by an earlier run (tag $TAG)"
  else
    recorded=$desired
    note "recorded the desired count $desired of $where in its tag $TAG"
  fi
  if [ -n "$recorded_scaling" ]; then
    note "$where: keeping the scaling state $recorded_scaling recorded by an earlier run (tag $SCALING_TAG)"
  elif [ -n "$scaling" ]; then
    recorded_scaling=$scaling
    note "recorded the Application Auto Scaling state $scaling of $scaling_id in the tag $SCALING_TAG of $where"
  fi
  if [ -n "$scaling" ] && [ "$scaling" != in=true/out=true/scheduled=true ]; then
    set_scaling in=true/out=true/scheduled=true ||
      fail "could not suspend Application Auto Scaling of $scaling_id (aws application-autoscaling register-scalable-target, AWS CLI error above); ToolJet still runs, nothing was stopped. Check application-autoscaling:RegisterScalableTarget, then run pulumi up again"
    note "suspended dynamic and scheduled scaling of $scaling_id for the window"
    # The desired count as it is now (suspending must not have moved it, but nothing may raise it after the stop).
    out=$(describe 'services[0].desiredCount')
    is_count "$out" || fail "unexpected desired count from describe-services: $out"
    desired=$out
  fi
  if [ "$desired" -ne 0 ]; then
    aws ecs update-service --cluster "$TJ_ECS_CLUSTER" --service "$TJ_ECS_SERVICE" --desired-count 0 \
      --query 'service.desiredCount' --output text >/dev/null ||
      fail "aws ecs update-service $where --desired-count 0 failed (AWS CLI error above); ToolJet still runs, nothing after this step ran"
    note "set the desired count of $where to 0 (was $desired); waiting until no task runs"
  fi
  while :; do
    left=$(alive)
    [ "$left" -gt 0 ] || break
    [ "$waited" -lt "$timeout" ] ||
      fail "timed out after ${timeout}s waiting for the tasks of $where to stop ($left still running or stopping); ToolJet may still write to the database, so nothing after this step ran. Check the service events (aws ecs describe-services) and run pulumi up again"
    sleep "$poll"
    waited=$((waited + step))
  done
  printf 'tooljet=stopped kind=ecs cluster=%s service=%s recordedDesiredCount=%s recordedScaling=%s stoppedAt=%s stoppedEpoch=%s\n' \
    "$TJ_ECS_CLUSTER" "$TJ_ECS_SERVICE" "$recorded" "${recorded_scaling:-none}" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$(date +%s)"
  exit 0
fi

# start
if [ -n "$recorded" ]; then
  target=$recorded
  if [ "$desired" -ne "$target" ]; then
    aws ecs update-service --cluster "$TJ_ECS_CLUSTER" --service "$TJ_ECS_SERVICE" --desired-count "$target" \
      --query 'service.desiredCount' --output text >/dev/null ||
      fail "aws ecs update-service $where --desired-count $target failed (AWS CLI error above); ToolJet is still stopped. Run pulumi up again, or start it yourself: aws ecs update-service --cluster $TJ_ECS_CLUSTER --service $TJ_ECS_SERVICE --desired-count $target"
    note "set the desired count of $where back to $target; waiting until the service is stable"
  fi
elif [ "$desired" -gt 0 ]; then
  target=$desired
  note "$where already runs with desired count $desired and no recorded count: started by an earlier run; only waiting until it is stable"
else
  fail "$where has desired count 0 and no recorded count (tag $TAG) to restore; start it yourself (aws ecs update-service --cluster $TJ_ECS_CLUSTER --service $TJ_ECS_SERVICE --desired-count <n>) and run pulumi up again"
fi

while :; do
  out=$(describe 'services[0].[length(deployments),runningCount,desiredCount,deployments[0].rolloutState]')
  # shellcheck disable=SC2086
  set -- $out
  if [ "$#" -ne 4 ] || ! is_count "$1" || ! is_count "$2" || ! is_count "$3"; then fail "unexpected answer from describe-services: $out"; fi
  if [ "$4" = FAILED ]; then
    fail "the deployment of $where FAILED while starting ToolJet; read the stopped tasks' reasons (aws ecs describe-tasks) and the /ecs/ToolJet log, fix, and run pulumi up again (the recorded count stays in the tag $TAG)"
  fi
  if [ "$1" -eq 1 ] && [ "$2" -eq "$target" ] && [ "$3" -eq "$target" ]; then break; fi
  [ "$waited" -lt "$timeout" ] ||
    fail "timed out after ${timeout}s waiting for $where to be stable ($2 of $3 tasks running, $1 deployment(s)); check the service events and task logs, raise targets.ecs.deployTimeout if it is just slow, then run pulumi up again"
  sleep "$poll"
  waited=$((waited + step))
done
restored=none
if [ -n "$recorded_scaling" ]; then
  read_scaling
  if [ -z "$scaling" ]; then
    note "$where has no Application Auto Scaling target any more; nothing to restore of the recorded state $recorded_scaling"
  else
    if [ "$scaling" != "$recorded_scaling" ]; then
      set_scaling "$recorded_scaling" ||
        fail "ToolJet runs again on $where, but the scaling state $recorded_scaling of $scaling_id could not be restored (aws application-autoscaling register-scalable-target, AWS CLI error above); check application-autoscaling:RegisterScalableTarget and run pulumi up again (the state stays recorded in the tag $SCALING_TAG)"
      note "restored the Application Auto Scaling state $recorded_scaling of $scaling_id"
    fi
    restored=$recorded_scaling
  fi
fi
set --
[ -z "$recorded" ] || set -- "$@" "$TAG"
[ -z "$recorded_scaling" ] || set -- "$@" "$SCALING_TAG"
if [ "$#" -gt 0 ]; then
  aws ecs untag-resource --resource-arn "$arn" --tag-keys "$@" ||
    fail "ToolJet runs again on $where, but its tags $* could not be removed (AWS CLI error above); remove them (aws ecs untag-resource --resource-arn $arn --tag-keys $*) before the next maintenance window, or run pulumi up again"
fi
downtime=$(downtime_since_stop)
printf 'tooljet=started kind=ecs cluster=%s service=%s desiredCount=%s restoredScaling=%s startedAt=%s downtimeSeconds=%s\n' \
  "$TJ_ECS_CLUSTER" "$TJ_ECS_SERVICE" "$target" "$restored" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$downtime"
