#!/bin/sh
# Stops or starts ToolJet's Deployments on EKS for the maintenance-window cutover
# (docs/cutover-and-rollback.md "What stop and start do on each target"): the chart's `tooljet`
# Deployment(s) and PostgREST, which both write to the database.
#
#   stop:  per Deployment, record its replica count in the annotation tooljet-pg-upgrade/replicas-before-stop, scale it
#          to 0, then wait until none of its pods is left (terminating ones included; pods that already Succeeded or
#          Failed do not run). The annotation is the durable record: a crash between stop and start loses nothing, and
#          a re-run keeps it instead of recording 0. A Deployment already at 0 without the annotation is refused.
#   start: scale each Deployment back to its recorded count, wait for `kubectl rollout status`, then remove the
#          annotation. A re-run after that finds them running and only waits.
# A HorizontalPodAutoscaler does not scale a Deployment that has 0 replicas, so it stays stopped until start.
#
# Run by a local.Command (components/cutover/tooljet-window.ts) through `/bin/sh -c`; never during `pulumi preview`.
# Inputs, from the environment only:
#   TJ_ACTION            stop | start
#   TJ_K8S_NAMESPACE     namespace of the Helm release
#   TJ_K8S_DEPLOYMENTS   Deployment names, separated by spaces
#   TJ_KUBECONFIG        optional kubeconfig file (targets.eks.kubeconfig); unset: kubectl's own default
#   TJ_KUBE_CONTEXT      optional context (targets.eks.context)
#   TJ_TIMEOUT_SECONDS   total time to wait, default 900
#   TJ_POLL_SECONDS      seconds between two checks, default 5
#   TJ_STOPPED_EPOCH     start only, optional: when the stop finished (from its output), to print the downtime
set -eu
set -f

me=tooljet-eks
ANNOTATION=tooljet-pg-upgrade/replicas-before-stop
# fail, note, is_count, check_action, read_budget, downtime_since_stop: tooljet-common.sh
check_action
ns=${TJ_K8S_NAMESPACE:-}
[ -n "$ns" ] || fail "TJ_K8S_NAMESPACE is not set"
[ -n "${TJ_K8S_DEPLOYMENTS:-}" ] || fail "TJ_K8S_DEPLOYMENTS is not set"
for d in $TJ_K8S_DEPLOYMENTS; do
  case $d in
    *[!a-z0-9.-]*) fail "TJ_K8S_DEPLOYMENTS: \"$d\" is not a Kubernetes name" ;;
  esac
done
read_budget 900 5
waited=0

command -v kubectl >/dev/null 2>&1 ||
  fail "kubectl is not on PATH; install it on the machine that runs pulumi up (with access to the cluster), then run pulumi up again"

k() { kubectl ${TJ_KUBECONFIG:+--kubeconfig "$TJ_KUBECONFIG"} ${TJ_KUBE_CONTEXT:+--context "$TJ_KUBE_CONTEXT"} --namespace "$ns" "$@"; }
access="check targets.eks.namespace and targets.eks.workloads/postgrest, the kubeconfig/context, and that you may get, patch and scale Deployments and list pods in $ns"

replicas_of() {
  r=$(k get deployment "$1" -o 'jsonpath={.spec.replicas}') || fail "kubectl get deployment $1 in namespace $ns failed (error above); $access"
  is_count "$r" || fail "unexpected replicas of Deployment $1: \"$r\""
  echo "$r"
}
recorded_of() {
  a=$(k get deployment "$1" -o "jsonpath={.metadata.annotations.tooljet-pg-upgrade/replicas-before-stop}") ||
    fail "kubectl get deployment $1 in namespace $ns failed (error above); $access"
  if [ -n "$a" ] && ! is_count "$a"; then
    fail "the annotation $ANNOTATION on Deployment $1 holds \"$a\", not a replica count; set it (kubectl -n $ns annotate deployment $1 $ANNOTATION=<n> --overwrite) and run pulumi up again"
  fi
  echo "$a"
}

if [ "$TJ_ACTION" = stop ]; then
  record=
  for d in $TJ_K8S_DEPLOYMENTS; do
    replicas=$(replicas_of "$d")
    recorded=$(recorded_of "$d")
    if [ -z "$recorded" ]; then
      [ "$replicas" -gt 0 ] ||
        fail "Deployment $d has 0 replicas and no recorded count (annotation $ANNOTATION), so start would not know what to restore; if it should run <n> pods, record it (kubectl -n $ns annotate deployment $d $ANNOTATION=<n>) and run pulumi up again"
      k annotate deployment "$d" "$ANNOTATION=$replicas" >/dev/null ||
        fail "could not record the replica count $replicas on Deployment $d (kubectl annotate, error above); $access"
      recorded=$replicas
      note "recorded the replica count $replicas of Deployment $d in its annotation $ANNOTATION"
    else
      note "Deployment $d: keeping the replica count $recorded recorded by an earlier run"
    fi
    if [ "$replicas" -ne 0 ]; then
      k scale deployment "$d" --replicas=0 >/dev/null ||
        fail "kubectl scale deployment $d --replicas=0 failed (error above); ToolJet may still run, nothing after this step ran"
      note "scaled Deployment $d to 0 (was $replicas)"
    fi
    record="$record${record:+,}$d:$recorded"
  done
  while :; do
    left=0
    for d in $TJ_K8S_DEPLOYMENTS; do
      # shellcheck disable=SC2016 # a go-template, not shell
      sel=$(k get deployment "$d" -o 'go-template={{range $k, $v := .spec.selector.matchLabels}}{{$k}}={{$v}},{{end}}') ||
        fail "kubectl get deployment $d failed (error above); $access"
      sel=${sel%,}
      [ -n "$sel" ] || fail "Deployment $d has no spec.selector.matchLabels to find its pods by"
      pods=$(k get pods -l "$sel" --field-selector=status.phase!=Succeeded,status.phase!=Failed -o name) ||
        fail "kubectl get pods -l $sel failed (error above); $access"
      # shellcheck disable=SC2086 # one word per pod name
      set -- $pods
      left=$((left + $#))
    done
    [ "$left" -gt 0 ] || break
    [ "$waited" -lt "$timeout" ] ||
      fail "timed out after ${timeout}s waiting for the pods of $TJ_K8S_DEPLOYMENTS to go ($left left); ToolJet may still write to the database, so nothing after this step ran. Check kubectl -n $ns get pods and run pulumi up again"
    sleep "$poll"
    waited=$((waited + step))
  done
  printf 'tooljet=stopped kind=eks namespace=%s recordedReplicas=%s stoppedAt=%s stoppedEpoch=%s\n' \
    "$ns" "$record" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$(date +%s)"
  exit 0
fi

# start: scale every Deployment first (they start in parallel), then wait for each.
started=
restored=
for d in $TJ_K8S_DEPLOYMENTS; do
  replicas=$(replicas_of "$d")
  recorded=$(recorded_of "$d")
  if [ -n "$recorded" ]; then
    if [ "$replicas" -ne "$recorded" ]; then
      k scale deployment "$d" --replicas="$recorded" >/dev/null ||
        fail "kubectl scale deployment $d --replicas=$recorded failed (error above); ToolJet is still stopped. Run pulumi up again, or: kubectl -n $ns scale deployment $d --replicas=$recorded"
      note "scaled Deployment $d back to $recorded"
    fi
    restored="$restored $d"
  elif [ "$replicas" -gt 0 ]; then
    recorded=$replicas
    note "Deployment $d already runs $replicas replica(s) and has no recorded count: started by an earlier run; only waiting for it"
  else
    fail "Deployment $d has 0 replicas and no recorded count (annotation $ANNOTATION) to restore; scale it yourself (kubectl -n $ns scale deployment $d --replicas=<n>) and run pulumi up again"
  fi
  started="$started${started:+,}$d:$recorded"
done
for d in $TJ_K8S_DEPLOYMENTS; do
  left=$((timeout - waited))
  [ "$left" -gt 0 ] || left=1
  t0=$(date +%s)
  k rollout status deployment "$d" --timeout="${left}s" >&2 ||
    fail "Deployment $d did not become ready within ${timeout}s (kubectl rollout status, above); read kubectl -n $ns describe deployment $d and the pod logs, fix, and run pulumi up again (the recorded count stays in the annotation)"
  waited=$((waited + $(date +%s) - t0))
done
for d in $restored; do
  k annotate deployment "$d" "$ANNOTATION-" >/dev/null ||
    fail "ToolJet runs again, but the annotation $ANNOTATION could not be removed from Deployment $d (error above); remove it (kubectl -n $ns annotate deployment $d $ANNOTATION-) before the next maintenance window, or run pulumi up again"
done
downtime=$(downtime_since_stop)
printf 'tooljet=started kind=eks namespace=%s replicas=%s startedAt=%s downtimeSeconds=%s\n' \
  "$ns" "$started" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$downtime"
