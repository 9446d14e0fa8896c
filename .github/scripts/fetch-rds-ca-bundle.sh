#!/usr/bin/env bash
# Downloads the RDS CA bundle to certs/global-bundle.pem (where the stack config points) and checks it before any
# Pulumi command reads it: HTTPS only, a non-empty PEM made of nothing but certificates, every one an Amazon RDS CA
# that openssl parses, at least one valid today, and its sha256 equal to the one pinned in the repository.
#
# Why the pin is required: the bundle's sha256 feeds the ECS init container, the EKS pod annotation and the AMI user
# data, so a bundle AWS changes upstream would roll every ToolJet target at the next `pulumi up`, outside any
# maintenance window. With the pin, a new bundle is a reviewed commit (issue 12, item 7) and the job fails before
# `pulumi preview` until then, saying which sum to commit.
#
# Usage: fetch-rds-ca-bundle.sh [--from FILE] [DEST]
#   --from FILE   verify and install FILE instead of downloading (offline checks, tests)
#   DEST          default certs/global-bundle.pem
# Environment: RDS_CA_BUNDLE_URL (default: the global bundle), RDS_CA_BUNDLE_PIN_FILE (default: the repository's
# .github/rds-ca-bundle.sha256: the sha256 of the reviewed bundle, `sha256sum` format; `#` lines are comments).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
url="${RDS_CA_BUNDLE_URL:-https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem}"
pin_file="${RDS_CA_BUNDLE_PIN_FILE:-$here/../rds-ca-bundle.sha256}"
pin_name=".github/rds-ca-bundle.sha256"
[ -n "${RDS_CA_BUNDLE_PIN_FILE:-}" ] && pin_name="$RDS_CA_BUNDLE_PIN_FILE"
from=""
if [ "${1:-}" = "--from" ]; then
  from="${2:?--from needs a file}"
  shift 2
fi
dest="${1:-certs/global-bundle.pem}"

fail() {
  echo "fetch-rds-ca-bundle: $*" >&2
  exit 1
}

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
bundle="$work/bundle.pem"

if [ -n "$from" ]; then
  cp "$from" "$bundle" || fail "cannot read $from"
else
  case "$url" in https://*) ;; *) fail "refusing a non-HTTPS bundle URL: $url" ;; esac
  curl --fail --silent --show-error --location --proto '=https' --proto-redir '=https' --tlsv1.2 \
    --retry 3 --retry-delay 2 --max-time 120 --output "$bundle" "$url" || fail "download of $url failed"
fi

[ -s "$bundle" ] || fail "the bundle is empty"

begins="$(grep -c -- '-----BEGIN CERTIFICATE-----' "$bundle" || true)"
ends="$(grep -c -- '-----END CERTIFICATE-----' "$bundle" || true)"
[ "$begins" -ge 1 ] || fail "no PEM certificate in the bundle (an error page?)"
[ "$begins" = "$ends" ] || fail "truncated bundle: $begins BEGIN lines, $ends END lines"
# Nothing but certificate blocks (base64 lines, markers, blank lines): no HTML, no private key, no stray text.
if tr -d '\r' <"$bundle" | grep -v -E -- '^-----(BEGIN|END) CERTIFICATE-----$|^[A-Za-z0-9+/=]+$|^$' | grep -q .; then
  fail "the bundle holds something other than certificates"
fi

# One file per certificate, then check each.
awk -v dir="$work" '/-----BEGIN CERTIFICATE-----/ { n++ } n { print > (dir "/cert-" n ".pem") }' "$bundle"
valid_now=0
for cert in "$work"/cert-*.pem; do
  subject="$(openssl x509 -in "$cert" -noout -subject -nameopt RFC2253 2>/dev/null)" || fail "$(basename "$cert") does not parse"
  case "$subject" in
    *"O=Amazon Web Services\, Inc."* | *"OU=Amazon RDS"*) ;;
    *) fail "$(basename "$cert") is not an Amazon RDS CA: $subject" ;;
  esac
  openssl x509 -in "$cert" -noout -text | grep -q 'CA:TRUE' || fail "$(basename "$cert") is not a CA certificate: $subject"
  if openssl x509 -in "$cert" -noout -checkend 0 >/dev/null; then valid_now=$((valid_now + 1)); fi
done
[ "$valid_now" -ge 1 ] || fail "every certificate in the bundle has expired"

sum="$(sha256sum "$bundle" | cut -d' ' -f1)"
pin=""
if [ -f "$pin_file" ]; then
  pin="$(grep -v -E '^[[:space:]]*(#|$)' "$pin_file" | head -n 1 | cut -d' ' -f1 || true)"
fi
if [ -z "$pin" ]; then
  fail "no sha256 pinned in $pin_name: review this bundle ($begins certificates), then commit its sha256 there: echo '$sum  global-bundle.pem' >> $pin_name"
fi
case "$pin" in
  *[!0-9a-f]* | "") fail "$pin_name holds '$pin', not a lower-case hex sha256: write the 64-character sum (sha256sum format)" ;;
esac
[ "${#pin}" -eq 64 ] || fail "$pin_name holds '$pin', not a 64-character sha256: write the sum in sha256sum format"
if [ "$sum" != "$pin" ]; then
  fail "the RDS CA bundle changed: sha256 $sum, pinned $pin in $pin_name; a new bundle rolls every ToolJet target at the next pulumi up: review it, then commit the new sum to $pin_name in a pull request merged for a maintenance window"
fi

mkdir -p "$(dirname "$dest")"
install -m 0644 "$bundle" "$dest"
echo "RDS CA bundle: $begins certificates ($valid_now valid now), sha256 $sum (pinned) -> $dest"
