# Measures one phase of `pulumi up` (lib/cutover/timing.ts): a local.Command's interpreter is
#   /bin/sh -c <this text> tj-timed <phase label> /bin/sh -c
# and the command provider appends the command itself, so "$@" below is `/bin/sh -c <command>`. The command runs
# unchanged (same stdin, stdout, environment, exit status); this adds two lines on stderr, which `pulumi up` shows
# next to the command's own output:
#   tj-pg-upgrade phase "<label>": started 2026-07-01T22:00:05Z
#   tj-pg-upgrade phase "<label>": finished, started 2026-07-01T22:00:05Z, ended 2026-07-01T22:01:40Z, 95 s
# (or "FAILED (exit N)" instead of "finished"). Compare with the estimate the program logs at start.
label=${1:-command}
shift
started=$(date -u +%Y-%m-%dT%H:%M:%SZ)
t0=$(date +%s)
printf 'tj-pg-upgrade phase "%s": started %s\n' "$label" "$started" >&2
"$@"
rc=$?
ended=$(date -u +%Y-%m-%dT%H:%M:%SZ)
t1=$(date +%s)
if [ "$rc" -eq 0 ]; then outcome=finished; else outcome="FAILED (exit $rc)"; fi
printf 'tj-pg-upgrade phase "%s": %s, started %s, ended %s, %s s\n' "$label" "$outcome" "$started" "$ended" "$((t1 - t0))" >&2
exit "$rc"
