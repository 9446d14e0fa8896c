#!/bin/sh
# Stops or starts ToolJet on the running EC2 instances of the AMI target for the maintenance-window cutover
# (docs/cutover-and-rollback.md "What stop and start do on each target"), with SSM Run Command
# (document AWS-RunShellScript).
#
# Which instances: every pending/running instance launched from the configured launch template, found by the tag
# EC2 puts on them (aws:ec2launchtemplate:id = targets.ami.launchTemplateId). Their Auto Scaling groups are read from
# the instances' aws:autoscaling:groupName tags.
#
#   stop:  suspend the Auto Scaling processes that would replace or add instances while ToolJet is down (Launch,
#          HealthCheck, ReplaceUnhealthy, AZRebalance; a new instance would boot ToolJet against the old database),
#          recording in a tag on the group (tooljet-pg-upgrade:suspended:<launch template>) which of them this run
#          suspended (those already suspended stay untouched); then `systemctl stop` the units (nest, postgrest) on
#          every instance and check that none is active.
#   start: re-point and start the running instances: run this stack's rendered user-data (the same script the new
#          launch template version gives new instances: bundle, .env database/TLS keys, restart of the units) on each
#          instance, check the units are active and /api/health answers on port 3000, then resume exactly the recorded
#          processes and remove the tag. Running instances do not re-run user-data on their own; this is what
#          points them at the new database.
# Both are idempotent: a re-run stops stopped units, keeps the recorded processes, runs the (idempotent) user-data again.
#
# Run by a local.Command (components/cutover/tooljet-window.ts) through `/bin/sh -c`; never during `pulumi preview`.
# The instances need the SSM agent and an instance profile that allows SSM (AmazonSSMManagedInstanceCore).
# Inputs, from the environment only:
#   TJ_ACTION              stop | start
#   TJ_LAUNCH_TEMPLATE_ID  lt-...
#   TJ_UNITS               systemd units, separated by spaces (default "nest postgrest")
#   TJ_USER_DATA_B64       start only: the rendered user-data, base64 (it holds no secret)
#   TJ_TIMEOUT_SECONDS     total time to wait, default 900
#   TJ_POLL_SECONDS        seconds between two checks, default 5
#   TJ_STOPPED_EPOCH       start only, optional: when the stop finished (from its output), to print the downtime
#   AWS_REGION / AWS_PROFILE and the rest of the AWS CLI's usual environment
set -eu
set -f

me=tooljet-ami
PROCESSES="Launch HealthCheck ReplaceUnhealthy AZRebalance"
# fail, note, is_count, check_action, read_budget, downtime_since_stop: tooljet-common.sh
check_action
lt=${TJ_LAUNCH_TEMPLATE_ID:-}
case $lt in
  lt-[0-9a-f]*) ;;
  *) fail "TJ_LAUNCH_TEMPLATE_ID is not a launch template id (lt-...)" ;;
esac
units=${TJ_UNITS:-nest postgrest}
for u in $units; do
  case $u in
    *[!A-Za-z0-9@_.-]*) fail "TJ_UNITS: \"$u\" is not a systemd unit name" ;;
  esac
done
if [ "$TJ_ACTION" = start ]; then
  [ -n "${TJ_USER_DATA_B64:-}" ] || fail "TJ_USER_DATA_B64 is not set"
  case $TJ_USER_DATA_B64 in
    *[!A-Za-z0-9+/=]*) fail "TJ_USER_DATA_B64 is not base64" ;;
  esac
fi
read_budget 900 5
waited=0
TAG="tooljet-pg-upgrade:suspended:$lt"

command -v aws >/dev/null 2>&1 ||
  fail "the AWS CLI (aws) is not on PATH; install AWS CLI v2 on the machine that runs pulumi up, then run pulumi up again"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The instances launched from the template, and their Auto Scaling groups.
found=$(aws ec2 describe-instances \
  --filters "Name=tag:aws:ec2launchtemplate:id,Values=$lt" "Name=instance-state-name,Values=pending,running" \
  --query "Reservations[].Instances[].[InstanceId,Tags[?Key=='aws:autoscaling:groupName'].Value | [0]]" --output text) ||
  fail "aws ec2 describe-instances for launch template $lt failed (AWS CLI error above); check credentials, region and ec2:DescribeInstances"
ids=
groups=
n=0
# shellcheck disable=SC2086 # instance id, group name, instance id, group name, ...
set -- $found
while [ "$#" -ge 2 ]; do
  case $1 in
    i-[0-9a-f]*) ;;
    *) fail "unexpected answer from describe-instances: $found" ;;
  esac
  ids="$ids $1"
  n=$((n + 1))
  if [ "$2" != None ]; then
    case $2 in
      *[!A-Za-z0-9._:/@+=-]*) fail "Auto Scaling group name \"$2\" has characters this script does not pass to the AWS CLI; suspend its processes yourself" ;;
    esac
    case " $groups " in
      *" $2 "*) ;;
      *) groups="$groups $2" ;;
    esac
  fi
  shift 2
done
[ "$#" -eq 0 ] || fail "unexpected answer from describe-instances: $found"
[ "$n" -le 50 ] || fail "$n instances were launched from $lt; SSM Run Command takes at most 50 instance ids per command: stop ToolJet on them yourself and set maintenanceWindow: false"

json_tag() { # group, value -> the create-or-update-tags / delete-tags JSON
  printf '[{"ResourceId":"%s","ResourceType":"auto-scaling-group","Key":"%s","Value":"%s","PropagateAtLaunch":false}]' "$1" "$TAG" "$2"
}

# Runs the commands in $work/parameters.json on every instance in $ids and waits until each reports Success.
run_on_instances() {
  what=$1
  # shellcheck disable=SC2086 # one argument per instance id
  cid=$(aws ssm send-command --document-name AWS-RunShellScript --instance-ids $ids --comment "tooljet-pg-upgrade: $what" \
    --parameters "file://$work/parameters.json" --query 'Command.CommandId' --output text) ||
    fail "aws ssm send-command ($what) failed (AWS CLI error above); check ssm:SendCommand and that the instances are managed by SSM (aws ssm describe-instance-information)"
  while :; do
    out=$(aws ssm list-command-invocations --command-id "$cid" --query 'CommandInvocations[].[InstanceId,Status]' --output text) ||
      fail "aws ssm list-command-invocations $cid failed (AWS CLI error above)"
    total=0
    ok=0
    # shellcheck disable=SC2086
    set -- $out
    while [ "$#" -ge 2 ]; do
      total=$((total + 1))
      case $2 in
        Success) ok=$((ok + 1)) ;;
        Pending | InProgress | Delayed) ;;
        *) fail "$what failed on $1 ($2); read its output: aws ssm get-command-invocation --command-id $cid --instance-id $1" ;;
      esac
      shift 2
    done
    [ "$ok" -lt "$n" ] || break
    [ "$waited" -lt "$timeout" ] ||
      fail "timed out after ${timeout}s waiting for $what ($ok of $n instances done); see aws ssm list-command-invocations --command-id $cid --details, then run pulumi up again"
    sleep "$poll"
    waited=$((waited + step))
  done
}

now_iso() { date -u +%Y-%m-%dT%H:%M:%SZ; }

if [ "$TJ_ACTION" = stop ]; then
  [ "$n" -gt 0 ] ||
    fail "no pending or running instance was launched from $lt (tag aws:ec2launchtemplate:id); check targets.ami.launchTemplateId. Instances started otherwise are not stopped by this program: stop ToolJet on them yourself and set maintenanceWindow: false"
  for g in $groups; do
    recorded=$(aws autoscaling describe-auto-scaling-groups --auto-scaling-group-names "$g" \
      --query "AutoScalingGroups[0].Tags[?Key=='$TAG'].Value | [0]" --output text) ||
      fail "aws autoscaling describe-auto-scaling-groups $g failed (AWS CLI error above); check autoscaling:DescribeAutoScalingGroups"
    if [ "$recorded" = None ] || [ -z "$recorded" ]; then
      already=$(aws autoscaling describe-auto-scaling-groups --auto-scaling-group-names "$g" \
        --query 'AutoScalingGroups[0].SuspendedProcesses[].ProcessName' --output text) ||
        fail "aws autoscaling describe-auto-scaling-groups $g failed (AWS CLI error above)"
      mine=
      for p in $PROCESSES; do
        case " $(echo "$already" | tr '\t' ' ') " in
          *" $p "*) ;;
          *) mine="$mine${mine:+ }$p" ;;
        esac
      done
      aws autoscaling create-or-update-tags --tags "$(json_tag "$g" "${mine:--}")" ||
        fail "could not record the suspended processes on Auto Scaling group $g (AWS CLI error above); nothing was stopped. Check autoscaling:CreateOrUpdateTags"
      recorded=${mine:--}
    fi
    if [ "$recorded" != - ]; then
      # shellcheck disable=SC2086 # one argument per process
      aws autoscaling suspend-processes --auto-scaling-group-name "$g" --scaling-processes $recorded ||
        fail "aws autoscaling suspend-processes $g failed (AWS CLI error above); nothing was stopped"
      note "suspended $recorded on Auto Scaling group $g (recorded in its tag $TAG)"
    fi
  done
  # shellcheck disable=SC2016 # the commands run on the instances: their $ is for that shell
  {
    printf '{"commands":["set -eu","systemctl stop %s",' "$units"
    printf '"for u in %s; do if systemctl is-active --quiet \\"$u\\"; then echo \\"$u is still active\\" >&2; exit 1; fi; done",' "$units"
    printf '"echo stopped: %s"]}\n' "$units"
  } >"$work/parameters.json"
  run_on_instances "stop $units"
  note "stopped $units on$ids"
  printf 'tooljet=stopped kind=ami launchTemplate=%s instances=%s autoScalingGroups=%s stoppedAt=%s stoppedEpoch=%s\n' \
    "$lt" "$(echo "$ids" | sed 's/^ //; s/ /,/g')" "$(echo "$groups" | sed 's/^ //; s/ /,/g')" "$(now_iso)" "$(date +%s)"
  exit 0
fi

# start: re-point and start every running instance, then give the Auto Scaling groups their processes back.
if [ "$n" -gt 0 ]; then
  health=$((timeout > 60 ? timeout - 60 : timeout))
  # shellcheck disable=SC2016 # the commands run on the instances: their $ is for that shell
  {
    printf '{"commands":["set -eu","f=$(mktemp)","trap '"'"'rm -f \\"$f\\"'"'"' EXIT",'
    printf '"echo %s | base64 -d >\\"$f\\"","bash \\"$f\\"",' "$TJ_USER_DATA_B64"
    printf '"for u in %s; do systemctl is-active --quiet \\"$u\\" || { echo \\"$u is not active: journalctl -u $u\\" >&2; exit 1; }; done",' "$units"
    printf '"if command -v curl >/dev/null; then i=0; until curl -fsS -o /dev/null http://127.0.0.1:3000/api/health; do i=$((i+5)); if [ $i -ge %s ]; then echo \\"/api/health did not answer within %s s: journalctl -u nest\\" >&2; exit 1; fi; sleep 5; done; fi",' "$health" "$health"
    printf '"echo started: %s"],"executionTimeout":["%s"]}\n' "$units" "$timeout"
  } >"$work/parameters.json"
  run_on_instances "re-point and start $units"
  note "ran the stack's user-data (re-point, restart $units) on$ids; /api/health answers"
fi
resumed=
asgs=$(aws autoscaling describe-auto-scaling-groups --filters "Name=tag-key,Values=$TAG" \
  --query 'AutoScalingGroups[].AutoScalingGroupName' --output text) ||
  fail "aws autoscaling describe-auto-scaling-groups failed (AWS CLI error above); check autoscaling:DescribeAutoScalingGroups"
[ "$asgs" != None ] || asgs=
for g in $asgs; do
  case $g in
    *[!A-Za-z0-9._:/@+=-]*) fail "Auto Scaling group name \"$g\" has characters this script does not pass to the AWS CLI; resume its processes yourself" ;;
  esac
  recorded=$(aws autoscaling describe-auto-scaling-groups --auto-scaling-group-names "$g" \
    --query "AutoScalingGroups[0].Tags[?Key=='$TAG'].Value | [0]" --output text) ||
    fail "aws autoscaling describe-auto-scaling-groups $g failed (AWS CLI error above)"
  if [ "$recorded" != - ] && [ "$recorded" != None ] && [ -n "$recorded" ]; then
    # shellcheck disable=SC2086 # one argument per process
    aws autoscaling resume-processes --auto-scaling-group-name "$g" --scaling-processes $recorded ||
      fail "aws autoscaling resume-processes $g failed (AWS CLI error above); ToolJet runs, but resume them yourself: aws autoscaling resume-processes --auto-scaling-group-name $g --scaling-processes $recorded"
  fi
  aws autoscaling delete-tags --tags "$(json_tag "$g" "$recorded")" ||
    fail "resumed the processes of $g but could not remove its tag $TAG (AWS CLI error above); remove it before the next maintenance window"
  resumed="$resumed${resumed:+,}$g"
done
[ "$n" -gt 0 ] ||
  fail "no pending or running instance was launched from $lt to start ToolJet on${resumed:+ (the processes of $resumed were resumed, so the group launches new instances from the launch template)}; run pulumi up again once instances run"
downtime=$(downtime_since_stop)
printf 'tooljet=started kind=ami launchTemplate=%s instances=%s resumedAutoScalingGroups=%s startedAt=%s downtimeSeconds=%s\n' \
  "$lt" "$(echo "$ids" | sed 's/^ //; s/ /,/g')" "$resumed" "$(now_iso)" "$downtime"
