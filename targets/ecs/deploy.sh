#!/bin/sh
# Points the existing ToolJet ECS service at the task definition revision this stack registered and waits until the
# service is stable on it, or fails `pulumi up` saying why. This is ToolJet's "new task definition revision + service
# deployment" step, for a service the stack does not own (docs/targets.md "ECS": why not aws.ecs.Service).
#
# What "deployed" means, and why not rolloutState: ECS returns a deployment's rolloutState only "for services that
# use the rolling update (ECS) deployment type that aren't behind a Classic Load Balancer", and a deployment becomes
# FAILED only with the deployment circuit breaker turned on (ECS API reference, Deployment). So success is the
# services-stable condition of the AWS CLI's own waiter (`aws ecs wait services-stable`: exactly one deployment and
# runningCount == desiredCount) plus that deployment being the PRIMARY one of this revision with all its tasks
# running; rolloutState FAILED, when ECS reports it, only ends the wait early with ECS's reason, as does the revision's
# deployment losing PRIMARY (a circuit-breaker rollback or another deployment replaced it). The wait is bounded.
#
# Which services it can deploy: the deployment controller is read first. UpdateService changes the task definition
# only for the ECS (rolling update) controller: "If the service uses the CODE_DEPLOY deployment controller, only the
# desired count, deployment configuration, health check grace period, task placement constraints and strategies,
# enable ECS managed tags option, and propagate tags can be updated using this API" (ECS API reference,
# UpdateService), and an EXTERNAL service deploys through task sets (CreateTaskSet). Both are refused in one line.
#
# Run by a local.Command (targets/ecs/component.ts) through `/bin/sh -c`; never during `pulumi preview`.
# Idempotent: a service already on the revision only waits for/verifies its deployment.
# Inputs, from the environment only:
#   TJ_ECS_CLUSTER       cluster name or ARN
#   TJ_ECS_SERVICE       service name
#   TJ_TASK_DEFINITION   task definition ARN (family:revision)
#   TJ_TIMEOUT_SECONDS   total time to wait, default 1800
#   TJ_POLL_SECONDS      seconds between two describe calls, default 15
#   TJ_ROLE_POLICIES     lines "<role> <policy> <resource>...": the inline policies the new tasks need, and what they grant
#   TJ_IAM_SETTLE_SECONDS  extra wait once IAM returns them all, default 10
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
is_count() { case $1 in '' | *[!0-9]*) return 1 ;; *) return 0 ;; esac }

command -v aws >/dev/null 2>&1 ||
  fail "the AWS CLI (aws) is not on PATH; install AWS CLI v2 on the machine that runs pulumi up, then run pulumi up again"

where="service $TJ_ECS_SERVICE in cluster $TJ_ECS_CLUSTER"
describe() {
  aws ecs describe-services --cluster "$TJ_ECS_CLUSTER" --services "$TJ_ECS_SERVICE" --query "$1" --output text ||
    fail "aws ecs describe-services for $where failed (AWS CLI error above); check credentials, region, ecs:DescribeServices and targets.ecs.cluster"
}

# --- the service and its deployment controller ---------------------------------------------------------------------
out=$(describe 'services[0].[status,deploymentController.type,taskDefinition]')
# shellcheck disable=SC2086 # split the tab-separated fields on purpose
set -- $out
if [ "$#" -ne 3 ] || [ "$1" != ACTIVE ]; then
  fail "$where is not an active service (describe-services: $out); check targets.ecs.cluster and targets.ecs.service (aws ecs list-services --cluster $TJ_ECS_CLUSTER)"
fi
controller=$2 current=$3
case $controller in
  ECS | None) controller=ECS ;; # None: no deploymentController in the answer, ECS's default (rolling update)
  CODE_DEPLOY)
    fail "$where uses the CODE_DEPLOY deployment controller, whose task definition ECS does not let update-service change (only CodeDeploy deploys it): deploy $TJ_TASK_DEFINITION with your CodeDeploy application (appspec TaskDefinition), or set targets.ecs.updateService false and deploy the stack output ecsTaskDefinitionArn yourself" ;;
  EXTERNAL)
    fail "$where uses the EXTERNAL deployment controller, which deploys task sets (aws ecs create-task-set), not update-service: set targets.ecs.updateService false and deploy the stack output ecsTaskDefinitionArn as a task set with your deployment tool" ;;
  *) fail "$where has the deployment controller \"$controller\", which this deploy does not know; set targets.ecs.updateService false and deploy the stack output ecsTaskDefinitionArn yourself" ;;
esac

# --- the role policies the new tasks need: IAM is eventually consistent ---------------------------------------------
# "Changes that you make in IAM ... take time to become visible ... we recommend that you do not include such IAM
# changes in the critical, high-availability code paths of your application. Instead, make IAM changes in a separate
# initialization or setup routine ... verify that the changes have been propagated before production workflows depend
# on them" (IAM User Guide, "Troubleshoot IAM: changes that I make are not always immediately visible"). A task started
# before its execution role may read the secrets fails with ResourceInitializationError (and may trip the circuit
# breaker). So: wait until IAM answers each policy with every resource it grants, then settle a little longer.
policy_has() { # <role> <policy> <resource>...
  role=$1 policy=$2
  shift 2
  if ! got=$(aws iam get-role-policy --role-name "$role" --policy-name "$policy" \
    --query 'PolicyDocument.Statement[].Resource' --output text 2>&1); then
    case $got in
      *NoSuchEntity*) return 1 ;;
      *) fail "aws iam get-role-policy --role-name $role --policy-name $policy failed: $got; check iam:GetRolePolicy on the role" ;;
    esac
  fi
  # shellcheck disable=SC2086 # one word per granted resource (set -f: no globbing)
  have=" $(printf '%s ' $got)"
  for r in "$@"; do
    case $have in *" $r "*) ;; *) return 1 ;; esac
  done
}
wait_policies() {
  [ -n "${TJ_ROLE_POLICIES:-}" ] || return 0
  while read -r line; do
    [ -n "$line" ] || continue
    # shellcheck disable=SC2086 # role, policy, resources: one word each
    set -- $line
    until policy_has "$@"; do
      [ "$waited" -lt "$timeout" ] ||
        fail "timed out after ${timeout}s waiting for IAM to return the policy $2 of role $1 with every resource it grants (aws iam get-role-policy --role-name $1 --policy-name $2); nothing was deployed. Run pulumi up again"
      sleep "$poll"
      waited=$((waited + step))
    done
  done <<EOF
$TJ_ROLE_POLICIES
EOF
  settle=${TJ_IAM_SETTLE_SECONDS:-10}
  if [ "$settle" -gt 0 ]; then
    note "IAM returns the role policies; waiting ${settle}s more for them to propagate before tasks use them"
    sleep "$settle"
  fi
}

if [ "$current" != "$TJ_TASK_DEFINITION" ]; then
  wait_policies
  note "deploying $TJ_TASK_DEFINITION to $where (was $current)"
  aws ecs update-service --cluster "$TJ_ECS_CLUSTER" --service "$TJ_ECS_SERVICE" \
    --task-definition "$TJ_TASK_DEFINITION" --query 'service.taskDefinition' --output text >/dev/null ||
    fail "aws ecs update-service $where --task-definition $TJ_TASK_DEFINITION failed (AWS CLI error above)"
fi

# --- wait: services-stable, on this revision -----------------------------------------------------------------------
ours="services[0].deployments[?taskDefinition=='$TJ_TASK_DEFINITION'] | [0]"
last_event() { describe 'services[0].events[0].message' 2>/dev/null || echo unknown; }
while :; do
  out=$(describe 'services[0].[status,length(deployments),runningCount,desiredCount]')
  # shellcheck disable=SC2086
  set -- $out
  if [ "$#" -ne 4 ] || ! is_count "$2" || ! is_count "$3" || ! is_count "$4"; then
    fail "unexpected answer from describe-services for $where: $out"
  fi
  [ "$1" = ACTIVE ] || fail "$where became $1 while waiting for the deployment of $TJ_TASK_DEFINITION"
  deployments=$2 running=$3 desired=$4

  out=$(describe "$ours.[status,runningCount,desiredCount,rolloutState]")
  # shellcheck disable=SC2086
  set -- $out
  [ "$#" -eq 4 ] ||
    fail "$where has no deployment of $TJ_TASK_DEFINITION any more: it was rolled back (deployment circuit breaker) or replaced by another deployment. Last service event: $(last_event)"
  dstatus=$1 drunning=$2 ddesired=$3 rollout=$4
  if [ "$rollout" = FAILED ]; then
    reason=$(describe "$ours.rolloutStateReason") || reason=unknown
    fail "the deployment of $TJ_TASK_DEFINITION to $where FAILED: $reason. ECS rolls back to the previous revision with the circuit breaker's rollback on; read the stopped tasks' reasons (aws ecs describe-tasks) and the /ecs/ToolJet and rds-ca-bundle logs"
  fi
  [ "$dstatus" = PRIMARY ] ||
    fail "the deployment of $TJ_TASK_DEFINITION to $where is $dstatus, no longer the service's primary one: it was rolled back (deployment circuit breaker) or replaced by another deployment. Last service event: $(last_event)"
  if [ "$deployments" -eq 1 ] && [ "$running" -eq "$desired" ] && [ "$drunning" -eq "$ddesired" ]; then break; fi
  [ "$waited" -lt "$timeout" ] ||
    fail "timed out after ${timeout}s waiting for $where to be stable on $TJ_TASK_DEFINITION: $drunning of $ddesired of its tasks running, $deployments deployment(s) (rollout ${rollout}). Last service event: $(last_event). Check the stopped tasks' reasons (aws ecs describe-tasks) and the task logs; raise targets.ecs.deployTimeout if it is just slow, then run pulumi up again"
  sleep "$poll"
  waited=$((waited + step))
done
printf 'service=%s cluster=%s taskDefinition=%s controller=%s running=%s\n' "$TJ_ECS_SERVICE" "$TJ_ECS_CLUSTER" "$TJ_TASK_DEFINITION" "$controller" "$running"
