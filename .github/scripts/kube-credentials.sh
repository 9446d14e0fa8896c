#!/usr/bin/env bash
# Kubernetes credentials for a stack with an EKS target (issue 12, item 10): writes a kubeconfig for the cluster with
# `aws eks update-kubeconfig`, using the AWS credentials the job already holds (its environment's role), where
# .github/scripts/ci-stack-check.ts said (the stack's targets.eks.kubeconfig, or $RUNNER_TEMP/kubeconfig exported as
# KUBECONFIG for the rest of the job), naming the context as the stack selects it (targets.eks.context).
#
# Environment: EKS_CLUSTER_NAME, AWS_REGION, TJ_KUBECONFIG (path), TJ_EXPORT_KUBECONFIG (true|false), TJ_CONTEXT
# (optional), GITHUB_ENV (set by Actions).
set -euo pipefail

fail() {
  echo "kube-credentials: $*" >&2
  exit 1
}

[ -n "${EKS_CLUSTER_NAME:-}" ] || fail "EKS_CLUSTER_NAME is empty: set it in this job's environment"
[ -n "${AWS_REGION:-}" ] || fail "AWS_REGION is empty: set the repository variable AWS_REGION"
[ -n "${TJ_KUBECONFIG:-}" ] || fail "TJ_KUBECONFIG is empty: run .github/scripts/ci-stack-check.ts first"
command -v aws >/dev/null || fail "the AWS CLI is not on PATH: install it on the runner (GitHub-hosted runners have it)"

args=(eks update-kubeconfig --name "$EKS_CLUSTER_NAME" --region "$AWS_REGION" --kubeconfig "$TJ_KUBECONFIG")
if [ -n "${TJ_CONTEXT:-}" ]; then
  args+=(--alias "$TJ_CONTEXT")
fi

mkdir -p "$(dirname "$TJ_KUBECONFIG")"
umask 077
aws "${args[@]}" >/dev/null || fail "aws eks update-kubeconfig --name $EKS_CLUSTER_NAME failed: the job's role needs eks:DescribeCluster and an EKS access entry"
chmod 600 "$TJ_KUBECONFIG"
if [ "${TJ_EXPORT_KUBECONFIG:-false}" = "true" ]; then
  [ -n "${GITHUB_ENV:-}" ] || fail "GITHUB_ENV is not set: run this inside a GitHub Actions job"
  echo "KUBECONFIG=$TJ_KUBECONFIG" >>"$GITHUB_ENV"
fi
echo "kubeconfig for EKS cluster $EKS_CLUSTER_NAME -> $TJ_KUBECONFIG${TJ_CONTEXT:+ (context $TJ_CONTEXT)}"
