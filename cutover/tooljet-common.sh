# What every <kind>-tooljet.sh shares. toolJetScript() (scripts.ts) puts this text in front of the kind's script, and
# the command runs both as one text through /bin/sh -c. The script sets `me` (the prefix of its messages) before it
# calls any of these functions.

fail() {
  printf '%s: %s\n' "$me" "$*" >&2
  exit 1
}
note() { printf '%s: %s\n' "$me" "$*" >&2; }
is_count() {
  case $1 in
    '' | *[!0-9]*) return 1 ;;
    *) return 0 ;;
  esac
}

# TJ_ACTION must be stop or start.
check_action() {
  case ${TJ_ACTION:-} in
    stop | start) ;;
    *) fail "TJ_ACTION must be stop or start" ;;
  esac
}

# Sets timeout and poll from TJ_TIMEOUT_SECONDS / TJ_POLL_SECONDS (defaults: $1 and $2 seconds), and step, the
# sleep between two checks (at least 1 s).
read_budget() {
  timeout=${TJ_TIMEOUT_SECONDS:-$1}
  poll=${TJ_POLL_SECONDS:-$2}
  is_count "$timeout" || fail "TJ_TIMEOUT_SECONDS is not a number of seconds"
  is_count "$poll" || fail "TJ_POLL_SECONDS is not a number of seconds"
  step=$poll
  [ "$step" -gt 0 ] || step=1
}

# Prints the seconds since TJ_STOPPED_EPOCH (when the stop finished), or nothing when it is not set.
downtime_since_stop() {
  if is_count "${TJ_STOPPED_EPOCH:-}"; then echo $(($(date +%s) - TJ_STOPPED_EPOCH)); fi
}

