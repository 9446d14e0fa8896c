#!/usr/bin/env bash
# Downloads the RDS CA bundle to certs/global-bundle.pem (where the stack config points) and checks it before any
# Pulumi command reads it: HTTPS only, a non-empty PEM made of nothing but certificates, every one an Amazon RDS CA
# that openssl parses, at least one valid today, and (when RDS_CA_BUNDLE_SHA256 is set) the pinned checksum.
#
# Usage: fetch-rds-ca-bundle.sh [--from FILE] [DEST]
#   --from FILE   verify and install FILE instead of downloading (offline checks, tests)
#   DEST          default certs/global-bundle.pem
# Environment: RDS_CA_BUNDLE_URL (default: the global bundle), RDS_CA_BUNDLE_SHA256 (optional pin).
set -euo pipefail

url="${RDS_CA_BUNDLE_URL:-https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem}"
pin="${RDS_CA_BUNDLE_SHA256:-}"
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
if [ -n "$pin" ] && [ "$sum" != "$pin" ]; then
  fail "sha256 $sum differs from RDS_CA_BUNDLE_SHA256 $pin (AWS rotated the bundle? review it, then update the pin)"
fi

mkdir -p "$(dirname "$dest")"
install -m 0644 "$bundle" "$dest"
echo "RDS CA bundle: $begins certificates ($valid_now valid now), sha256 $sum -> $dest"
