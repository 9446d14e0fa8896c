#!/bin/sh
# Points the existing ToolJet ECS service at the task definition revision this stack registered and waits until
# ECS reports that deployment COMPLETED (new tasks running and healthy, old ones drained), or fails `pulumi up` with
# ECS's own reason. This is ToolJet's "new task definition revision + service deployment" step, for a service the
# stack does not own (README "ToolJet targets" -> ECS: why not aws.ecs.Service).
#
# Run by a local.Command (components/targets/ecs.ts) through `/bin/sh -c`; never during `pulumi preview`.
# Idempotent: a service already on the revision only waits for/verifies its deployment.
# Inputs, from the environment only:
#   TJ_ECS_CLUSTER       cluster name or ARN
#   TJ_ECS_SERVICE       service name
#   TJ_TASK_DEFINITION   task definition ARN (family:revision)
#   TJ_TIMEOUT_SECONDS   total time to wait, default 1800
#   TJ_POLL_SECONDS      seconds between two describe calls, default 15
#   AWS_REGION / AWS_PROFILE and the rest of the AWS CLI's usual environment
set -eu
set -f

me=ecs-deploy
fail() {
  printf '%s: %s\n' "$me" "$*" >&2
  exit 1
}
note() { printf '%s: %s\n' "$me" "$*" >&2; }

[ -n "${TJ_ECS_CLUSTER:-}" ] || fail "TJ_ECS_CLUSTER is not set"
[ -n "${TJ_ECS_SERVICE:-}" ] || fail "TJ_ECS_SERVICE is not set"
[ -n "${TJ_TASK_DEFINITION:-}" ] || fail "TJ_TASK_DEFINITION is not set"
case $TJ_TASK_DEFINITION in
  *"'"* | *" "*) fail "TJ_TASK_DEFINITION is not a task definition ARN" ;;
esac
timeout=${TJ_TIMEOUT_SECONDS:-1800}
poll=${TJ_POLL_SECONDS:-15}
step=$poll
[ "$step" -gt 0 ] || step=1
waited=0

command -v aws >/dev/null 2>&1 ||
  fail "the AWS CLI (aws) is not on PATH; install AWS CLI v2 on the machine that runs pulumi up, then run pulumi up again"

where="service $TJ_ECS_SERVICE in cluster $TJ_ECS_CLUSTER"
status=$(aws ecs describe-services --cluster "$TJ_ECS_CLUSTER" --services "$TJ_ECS_SERVICE" \
  --query 'services[0].status' --output text) ||
  fail "aws ecs describe-services for $where failed (AWS CLI error above); check credentials, region and targets.ecs.cluster"
[ "$status" = ACTIVE ] ||
  fail "$where is not an active service (status: $status); check targets.ecs.cluster and targets.ecs.service (aws ecs list-services --cluster $TJ_ECS_CLUSTER)"

current=$(aws ecs describe-services --cluster "$TJ_ECS_CLUSTER" --services "$TJ_ECS_SERVICE" \
  --query 'services[0].taskDefinition' --output text) ||
  fail "aws ecs describe-services for $where failed (AWS CLI error above)"
if [ "$current" != "$TJ_TASK_DEFINITION" ]; then
  note "deploying $TJ_TASK_DEFINITION to $where (was $current)"
  aws ecs update-service --cluster "$TJ_ECS_CLUSTER" --service "$TJ_ECS_SERVICE" \
    --task-definition "$TJ_TASK_DEFINITION" --query 'service.taskDefinition' --output text >/dev/null ||
    fail "aws ecs update-service $where --task-definition $TJ_TASK_DEFINITION failed (AWS CLI error above)"
fi

# The deployment of our revision: status (PRIMARY/ACTIVE), rollout state, running and desired counts.
query="services[0].deployments[?taskDefinition=='$TJ_TASK_DEFINITION'] | [0].[status,rolloutState,runningCount,desiredCount]"
while :; do
  out=$(aws ecs describe-services --cluster "$TJ_ECS_CLUSTER" --services "$TJ_ECS_SERVICE" --query "$query" --output text) ||
    fail "aws ecs describe-services for $where failed (AWS CLI error above)"
  # shellcheck disable=SC2086 # split the tab-separated fields on purpose
  set -- $out
  [ "$#" -eq 4 ] || fail "$where has no deployment of $TJ_TASK_DEFINITION (describe-services: $out); was it replaced by another deployment?"
  dstatus=$1 rollout=$2 running=$3 desired=$4
  if [ "$rollout" = COMPLETED ] && [ "$dstatus" = PRIMARY ]; then break; fi
  if [ "$rollout" = FAILED ]; then
    reason=$(aws ecs describe-services --cluster "$TJ_ECS_CLUSTER" --services "$TJ_ECS_SERVICE" \
      --query "services[0].deployments[?taskDefinition=='$TJ_TASK_DEFINITION'] | [0].rolloutStateReason" --output text) || reason=unknown
    fail "the deployment of $TJ_TASK_DEFINITION to $where FAILED: $reason. ECS rolled back to the previous revision if the circuit breaker is on; read the stopped tasks' reasons (aws ecs describe-tasks) and the /ecs/ToolJet and rds-ca-bundle logs"
  fi
  [ "$waited" -lt "$timeout" ] ||
    fail "timed out after ${timeout}s waiting for the deployment of $TJ_TASK_DEFINITION to $where: rollout $rollout, $running of $desired tasks running. Check the service events (aws ecs describe-services) and the task logs; raise targets.ecs.deployTimeout if it is just slow, then run pulumi up again"
  sleep "$poll"
  waited=$((waited + step))
done
printf 'service=%s cluster=%s taskDefinition=%s rolloutState=%s running=%s\n' "$TJ_ECS_SERVICE" "$TJ_ECS_CLUSTER" "$TJ_TASK_DEFINITION" "$rollout" "$running"
