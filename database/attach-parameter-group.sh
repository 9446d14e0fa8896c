#!/bin/sh
# Finishes the clone inside the same `pulumi up`: attaches the postgres16 parameter group to the clone that the
# provider has just restored (on PostgreSQL 13, default.postgres13) and upgraded (to 16.x, default.postgres16), sets
# its RDS CA (the provider's restore-from-snapshot path does not send caCertIdentifier, so the clone comes up on the
# region's default CA: terraform-provider-aws #33572, #35711), reboots it while the group is pending-reboot, and
# verifies the end state (version, group in-sync, CA). Group and CA go into one modify-db-instance call, so the clone
# restarts for both at once. Why this is needed: docs/design.md "Restore, upgrade, parameter group, CA".
#
# Run by a local.Command (database/clone.ts) through `/bin/sh -c`; never during `pulumi preview`.
# Idempotent: a clone already on the group (in-sync) and on the CA is only verified.
# Inputs, from the environment only (no identifiers or credentials on any command line):
#   TJ_CLONE_ID          DB instance identifier of the clone
#   TJ_PARAMETER_GROUP   name of the postgres16 DB parameter group
#   TJ_ENGINE_VERSION    exact engine version the clone must run (16.9)
#   TJ_CA_CERT_IDENTIFIER the RDS CA the clone's server certificate must come from (the source's unless configured)
#   TJ_TIMEOUT_SECONDS   total time to wait for RDS, default 14400
#   TJ_POLL_SECONDS      seconds between two describe calls, default 30
#   AWS_REGION / AWS_PROFILE and the rest of the AWS CLI's usual environment
set -eu
set -f

me=attach-parameter-group
fail() {
  printf '%s: %s\n' "$me" "$*" >&2
  exit 1
}
note() { printf '%s: %s\n' "$me" "$*" >&2; }

[ -n "${TJ_CLONE_ID:-}" ] || fail "TJ_CLONE_ID is not set"
[ -n "${TJ_PARAMETER_GROUP:-}" ] || fail "TJ_PARAMETER_GROUP is not set"
[ -n "${TJ_ENGINE_VERSION:-}" ] || fail "TJ_ENGINE_VERSION is not set"
[ -n "${TJ_CA_CERT_IDENTIFIER:-}" ] || fail "TJ_CA_CERT_IDENTIFIER is not set"
timeout=${TJ_TIMEOUT_SECONDS:-14400}
poll=${TJ_POLL_SECONDS:-30}
step=$poll
[ "$step" -gt 0 ] || step=1
waited=0

command -v aws >/dev/null 2>&1 ||
  fail "the AWS CLI (aws) is not on PATH; install AWS CLI v2 on the machine that runs pulumi up, then run pulumi up again"

status='' version='' group='' apply='' ca=''
read_state() {
  out=$(aws rds describe-db-instances --db-instance-identifier "$TJ_CLONE_ID" \
    --query 'DBInstances[0].[DBInstanceStatus,EngineVersion,DBParameterGroups[0].DBParameterGroupName,DBParameterGroups[0].ParameterApplyStatus,CACertificateIdentifier]' \
    --output text) || fail "aws rds describe-db-instances for $TJ_CLONE_ID failed (AWS CLI error above); check credentials, region and the identifier"
  # shellcheck disable=SC2086 # split the tab-separated fields on purpose
  set -- $out
  [ "$#" -eq 5 ] || fail "unexpected describe-db-instances output for $TJ_CLONE_ID: $out"
  status=$1 version=$2 group=$3 apply=$4 ca=$5
}

state() { printf 'status=%s engine=%s parameter-group=%s (%s) ca=%s' "$status" "$version" "$group" "$apply" "$ca"; }

# wait_until <what> <condition function>: polls until the condition holds, within the total time budget.
wait_until() {
  while :; do
    read_state
    if "$2"; then return 0; fi
    [ "$waited" -lt "$timeout" ] ||
      fail "timed out after ${timeout}s waiting for $TJ_CLONE_ID to be $1; now $(state). Raise clone.timeouts.update if RDS is just slow, then run pulumi up again"
    sleep "$poll"
    waited=$((waited + step))
  done
}

available() { [ "$status" = available ]; }
on_group() { [ "$status" = available ] && [ "$group" = "$TJ_PARAMETER_GROUP" ] && [ "$apply" != applying ] && [ "$ca" = "$TJ_CA_CERT_IDENTIFIER" ]; }
in_sync() { [ "$status" = available ] && [ "$group" = "$TJ_PARAMETER_GROUP" ] && [ "$apply" = in-sync ]; }

wait_until available available
[ "$version" = "$TJ_ENGINE_VERSION" ] ||
  fail "clone $TJ_CLONE_ID runs PostgreSQL $version, not $TJ_ENGINE_VERSION: the major version upgrade did not complete. Read its events (aws rds describe-events --source-type db-instance --source-identifier $TJ_CLONE_ID) and the pg_upgrade log, fix the cause, then run pulumi up again"

# One modify for what differs: the group and/or the CA (a restored clone is on the region's default CA).
set --
if [ "$group" != "$TJ_PARAMETER_GROUP" ]; then
  note "attaching parameter group $TJ_PARAMETER_GROUP to $TJ_CLONE_ID (now on $group)"
  set -- "$@" --db-parameter-group-name "$TJ_PARAMETER_GROUP"
fi
if [ "$ca" != "$TJ_CA_CERT_IDENTIFIER" ]; then
  note "moving $TJ_CLONE_ID to the RDS CA $TJ_CA_CERT_IDENTIFIER (now on $ca, the restore does not set it)"
  set -- "$@" --ca-certificate-identifier "$TJ_CA_CERT_IDENTIFIER"
fi
if [ "$#" -gt 0 ]; then
  aws rds modify-db-instance --db-instance-identifier "$TJ_CLONE_ID" "$@" --apply-immediately >/dev/null ||
    fail "aws rds modify-db-instance $TJ_CLONE_ID $* failed (AWS CLI error above)"
fi
wait_until "on parameter group $TJ_PARAMETER_GROUP and CA $TJ_CA_CERT_IDENTIFIER" on_group

case "$apply" in
  in-sync) ;;
  pending-reboot)
    note "rebooting $TJ_CLONE_ID so that $TJ_PARAMETER_GROUP takes effect"
    aws rds reboot-db-instance --db-instance-identifier "$TJ_CLONE_ID" >/dev/null ||
      fail "aws rds reboot-db-instance $TJ_CLONE_ID failed (AWS CLI error above)"
    ;;
  *) fail "parameter group $TJ_PARAMETER_GROUP is '$apply' on $TJ_CLONE_ID, expected in-sync or pending-reboot; check the group's parameters (aws rds describe-db-parameters --db-parameter-group-name $TJ_PARAMETER_GROUP --source user)" ;;
esac
wait_until "in-sync with $TJ_PARAMETER_GROUP" in_sync

read_state
if [ "$ca" != "$TJ_CA_CERT_IDENTIFIER" ]; then
  fail "clone $TJ_CLONE_ID uses the RDS CA $ca, not $TJ_CA_CERT_IDENTIFIER, after modify-db-instance --ca-certificate-identifier; read its events (aws rds describe-events --source-type db-instance --source-identifier $TJ_CLONE_ID), then run pulumi up again"
fi
if ! in_sync || [ "$version" != "$TJ_ENGINE_VERSION" ]; then
  fail "clone $TJ_CLONE_ID did not end as expected: $(state); expected status=available engine=$TJ_ENGINE_VERSION parameter-group=$TJ_PARAMETER_GROUP (in-sync) ca=$TJ_CA_CERT_IDENTIFIER"
fi
printf 'clone=%s engine=%s parameterGroup=%s parameterApplyStatus=%s ca=%s\n' "$TJ_CLONE_ID" "$version" "$group" "$apply" "$ca"
