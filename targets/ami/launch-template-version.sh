#!/bin/sh
# Adds a version to the existing launch template of the ToolJet AMI instances: a copy of TJ_SOURCE_VERSION (image,
# instance type, network, IAM profile... all kept) with only the user-data replaced by the rendered one, and makes it
# the default version when asked. Why not aws.ec2.LaunchTemplate: README "ToolJet targets" -> AMI.
#
# Run by a local.Command (components/targets/ami.ts) through `/bin/sh -c`; never during `pulumi preview`.
# Inputs, from the environment only (the user-data holds no secret; it is base64 text):
#   TJ_LAUNCH_TEMPLATE_ID   lt-...
#   TJ_SOURCE_VERSION       $Default, $Latest or a version number
#   TJ_SET_DEFAULT_VERSION  true or false
#   TJ_USER_DATA_B64        the user-data, base64
#   TJ_VERSION_DESCRIPTION  description of the new version
#   AWS_REGION / AWS_PROFILE and the rest of the AWS CLI's usual environment
set -eu
set -f

me=launch-template-version
fail() {
  printf '%s: %s\n' "$me" "$*" >&2
  exit 1
}

[ -n "${TJ_LAUNCH_TEMPLATE_ID:-}" ] || fail "TJ_LAUNCH_TEMPLATE_ID is not set"
[ -n "${TJ_SOURCE_VERSION:-}" ] || fail "TJ_SOURCE_VERSION is not set"
[ -n "${TJ_USER_DATA_B64:-}" ] || fail "TJ_USER_DATA_B64 is not set"
case $TJ_USER_DATA_B64 in
  *[!A-Za-z0-9+/=]*) fail "TJ_USER_DATA_B64 is not base64" ;;
esac
description=${TJ_VERSION_DESCRIPTION:-tooljet-pg-upgrade}

command -v aws >/dev/null 2>&1 ||
  fail "the AWS CLI (aws) is not on PATH; install AWS CLI v2 on the machine that runs pulumi up, then run pulumi up again"

data=$(mktemp)
trap 'rm -f "$data"' EXIT
printf '{"UserData":"%s"}\n' "$TJ_USER_DATA_B64" >"$data"

version=$(aws ec2 create-launch-template-version --launch-template-id "$TJ_LAUNCH_TEMPLATE_ID" \
  --source-version "$TJ_SOURCE_VERSION" --version-description "$description" \
  --launch-template-data "file://$data" \
  --query 'LaunchTemplateVersion.VersionNumber' --output text) ||
  fail "aws ec2 create-launch-template-version for $TJ_LAUNCH_TEMPLATE_ID (from version $TJ_SOURCE_VERSION) failed (AWS CLI error above); check targets.ami.launchTemplateId, targets.ami.sourceVersion and ec2:CreateLaunchTemplateVersion"
case $version in
  '' | *[!0-9]*) fail "unexpected answer from create-launch-template-version: $version" ;;
esac

default=false
if [ "${TJ_SET_DEFAULT_VERSION:-true}" = true ]; then
  aws ec2 modify-launch-template --launch-template-id "$TJ_LAUNCH_TEMPLATE_ID" --default-version "$version" \
    --query 'LaunchTemplate.DefaultVersionNumber' --output text >/dev/null ||
    fail "version $version of $TJ_LAUNCH_TEMPLATE_ID was created but could not be made the default (AWS CLI error above); run: aws ec2 modify-launch-template --launch-template-id $TJ_LAUNCH_TEMPLATE_ID --default-version $version"
  default=true
fi
printf 'launchTemplateId=%s launchTemplateVersion=%s default=%s\n' "$TJ_LAUNCH_TEMPLATE_ID" "$version" "$default"
