# Body of the ToolJet AMI user-data (lib/render/ami.ts puts a `#!/bin/bash` line and the TJ_* settings above it).
# cloud-init runs it as root on an instance's first boot. It
#   1. downloads the RDS CA bundle (S3 with the instance role, or an https URL) and checks its SHA-256,
#   2. reads the database password(s) from Secrets Manager or SSM with the instance role,
#   3. updates only the database/TLS keys of ToolJet's .env in place and comments out the keys in TJ_DISABLE_KEYS
#      (DATABASE_URL, CA_CERT... would turn certificate verification off: lib/render/unsafe-env.ts); every other byte
#      is kept and running it again changes nothing,
#   4. installs the bundle (mode 644) and the .env (mode 600: it holds PG_PASS) atomically, then restarts nest and
#      postgrest.
# Nothing is written before every download and check has succeeded. It fails closed: ToolJet's AMI enables `nest`
# (Restart=always) and `postgrest`, so they start at boot with the .env baked into the image, i.e. the old database
# (after the cutover, the PostgreSQL 13 source: writes would split across two databases). On any failure (a check
# below, a command failing under `set -e`, an unset setting, a signal) the EXIT trap stops and disables them, logs why
# and the script exits non-zero; until the settings are read the units are ToolJet's own, nest and postgrest.
# Testing: every absolute path is under $ROOT (default empty), and the commands it runs (aws, curl, systemctl,
# sha256sum, python3) are looked up on PATH.
set -Eeuo pipefail
umask 022

# --- fail closed -----------------------------------------------------------------------------------------------------
FAILED_AT=''
TMP_FILES=()
cleanup() { if ((${#TMP_FILES[@]})); then rm -f "${TMP_FILES[@]}"; fi; }
fail_closed() {
  local units=${TJ_RESTART_UNITS:-nest postgrest} unit
  printf 'tooljet-rds-ca: ERROR: %s\n' "pointing ToolJet at the database did not finish${FAILED_AT:+ (failed at $FAILED_AT)}: stopping and disabling $units so this instance does not serve ToolJet against the database in the AMI's own .env; fix the cause above and run this user-data again (or replace the instance)" >&2
  for unit in $units; do
    systemctl stop "$unit" || printf 'tooljet-rds-ca: ERROR: could not stop %s: stop it by hand\n' "$unit" >&2
    systemctl disable "$unit" || printf 'tooljet-rds-ca: ERROR: could not disable %s: disable it by hand\n' "$unit" >&2
  done
}
on_exit() {
  local status=$?
  trap - ERR
  set +e
  cleanup
  ((status == 0)) || fail_closed
  exit "$status"
}
trap 'FAILED_AT="line $LINENO: $BASH_COMMAND (exit $?)"' ERR
trap on_exit EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

ROOT="${ROOT:-}"
ENV_FILE="${ROOT}${TJ_ENV_FILE}"
CA_FILE="${ROOT}${TJ_CA_FILE}"
ENV_KEYS=(PG_HOST PG_PORT PG_USER PG_PASS PG_DB TOOLJET_DB TOOLJET_DB_HOST TOOLJET_DB_PORT TOOLJET_DB_USER TOOLJET_DB_PASS
  PGRST_DB_URI PGSSLMODE PGSSLROOTCERT NODE_EXTRA_CA_CERTS)
APPENDED_HEADER='# Added by tj-pg-upgrade: ToolJet database and RDS CA settings'
DISABLED_MARKER='# [disabled by tj-pg-upgrade] '
declare -A DISABLE=()
for k in $TJ_DISABLE_KEYS; do DISABLE[$k]=1; done
DISABLED=()

log() { printf 'tooljet-rds-ca: %s\n' "$*" >&2; }
die() {
  log "ERROR: $*"
  exit 1
}
need() { command -v "$1" >/dev/null 2>&1 || die "$1 is not installed or not on PATH: $2"; }

# Percent-encodes $1 (RFC 3986 unreserved characters and the characters in $2 stay as they are).
urlencode() {
  local LC_ALL=C s=$1 keep=${2:-} out='' c i
  for ((i = 0; i < ${#s}; i++)); do
    c=${s:i:1}
    if [[ $c == [A-Za-z0-9._~-] || (-n $keep && $keep == *"$c"*) ]]; then
      out+=$c
    else
      printf -v c '%%%02X' "'$c"
      out+=$c
    fi
  done
  printf '%s' "$out"
}

# The .env line for KEY=VALUE, in the subset that systemd (EnvironmentFile=), dotenv and bash all read the same way
# (the rule of lib/render/dotenv.ts): unquoted when plain, else single-quoted; refused when that cannot carry it.
declare -A LINE=()
set_line() {
  local key=$1 v=$2
  if [[ $v =~ ^[A-Za-z0-9_./:@%+,=-]*$ ]]; then
    LINE[$key]="$key=$v"
  elif [[ $v == *"'"* || $v == *\\ || $v =~ [[:cntrl:]] ]]; then
    die "$key contains a single quote, a control character or a trailing backslash, which systemd, dotenv and bash do not read back the same way: use a value without them"
  else
    LINE[$key]="$key='$v'"
  fi
}

# Prints the value of a Secrets Manager secret / SSM parameter ($1 = secretsmanager|ssm, $2 = id, $3 = JSON key or '').
read_secret() {
  local kind=$1 id=$2 json_key=$3 value err
  err=$(mktemp)
  TMP_FILES+=("$err")
  case $kind in
    secretsmanager)
      value=$(aws secretsmanager get-secret-value --region "$TJ_REGION" --secret-id "$id" \
        --query SecretString --output text 2>"$err") ||
        { log "ERROR: cannot read Secrets Manager secret $id (the instance role needs secretsmanager:GetSecretValue on it): $(head -c 400 "$err")"; return 1; } ;;
    ssm)
      value=$(aws ssm get-parameter --region "$TJ_REGION" --name "$id" --with-decryption \
        --query Parameter.Value --output text 2>"$err") ||
        { log "ERROR: cannot read SSM parameter $id (the instance role needs ssm:GetParameter on it, and kms:Decrypt for a SecureString): $(head -c 400 "$err")"; return 1; } ;;
    *)
      log "ERROR: unknown password source $kind"
      return 1 ;;
  esac
  if [[ -n $json_key ]]; then
    value=$(printf '%s' "$value" | python3 -c 'import json, sys
v = json.load(sys.stdin).get(sys.argv[1])
if not isinstance(v, str): sys.exit(1)
sys.stdout.write(v)' "$json_key") ||
      { log "ERROR: $kind $id is not a JSON object with a string \"$json_key\" key"; return 1; }
  fi
  if [[ -z $value || $value == None ]]; then
    log "ERROR: $kind $id is empty (or binary): store the database password as its text value"
    return 1
  fi
  printf '%s' "$value"
}

# True when $1 contains the closing quote $2 (a double quote must not be escaped with a backslash).
has_close() {
  local text=$1 q=$2 i
  for ((i = 0; i < ${#text}; i++)); do
    if [[ ${text:i:1} == "$q" && ($q == "'" || $i -eq 0 || ${text:i-1:1} != \\) ]]; then return 0; fi
  done
  return 1
}

# Prints the .env from stdin with our keys replaced (every occurrence, `export ` prefix and CRLF kept) and missing
# ones appended; every other byte, including a missing final newline, is kept. Same rules as mergeEnv in dotenv.ts.
merge_env() {
  local out='' line nl cr prefix key rest q first=1 crlf=0 pending='' dprefix=''
  declare -A seen=()
  while true; do
    nl=$'\n'
    if ! IFS= read -r line; then
      [[ -n $line ]] || break
      nl=''
    fi
    if ((first)); then
      [[ $line == *$'\r' ]] && crlf=1
      first=0
    fi
    if [[ -n $pending ]]; then # inside a quoted value that spans lines
      out+="$dprefix$line$nl"
      if has_close "$line" "$pending"; then
        pending=''
        dprefix=''
      fi
      continue
    fi
    if [[ ! $line =~ ^[[:space:]]*# && $line =~ ^[[:space:]]*(export[[:space:]]+)?([A-Za-z_][A-Za-z0-9_.]*)[[:space:]]*=[[:space:]]*(.*)$ ]]; then
      prefix=${BASH_REMATCH[1]:+export }
      key=${BASH_REMATCH[2]}
      rest=${BASH_REMATCH[3]}
      if [[ -n ${LINE[$key]+set} ]]; then
        q=${rest:0:1}
        if [[ ($q == "'" || $q == '"') ]] && ! has_close "${rest:1}" "$q"; then
          # Our key had a multi-line value: drop its continuation lines (the last one's line ending is kept).
          while true; do
            nl=$'\n'
            if ! IFS= read -r line; then
              [[ -n $line ]] || break
              nl=''
            fi
            has_close "$line" "$q" && break
          done
        fi
        cr=''
        [[ $line == *$'\r' ]] && cr=$'\r'
        out+="$prefix${LINE[$key]}$cr$nl"
        seen[$key]=1
        continue
      fi
      if [[ -n ${DISABLE[$key]+set} ]]; then # comment out every line of it (same as mergeEnv's `disable`)
        dprefix=$DISABLED_MARKER
        [[ " ${DISABLED[*]} " == *" $key "* ]] || DISABLED+=("$key")
      fi
      q=${rest:0:1}
      if [[ ($q == "'" || $q == '"') ]] && ! has_close "${rest:1}" "$q"; then pending=$q; fi
    fi
    out+="$dprefix$line$nl"
    [[ -n $pending ]] || dprefix=''
  done
  local missing=() k
  for k in "${ENV_KEYS[@]}"; do [[ -n ${seen[$k]+set} ]] || missing+=("$k"); done
  if ((${#missing[@]})); then
    nl=$'\n'
    ((crlf)) && nl=$'\r\n'
    if [[ -n $out && $out != *$'\n' ]]; then out+=$nl; fi
    if [[ -n $out && $out != *"$nl$nl" ]]; then out+=$nl; fi
    out+="$APPENDED_HEADER$nl"
    for k in "${missing[@]}"; do out+="${LINE[$k]}$nl"; done
  fi
  printf '%s' "$out"
}

# --- preconditions -----------------------------------------------------------------------------------------------
[[ -f $ENV_FILE ]] || die "$ENV_FILE not found: this user-data is for ToolJet AMI instances (ToolJet in /home/ubuntu/app)"
need sha256sum "it is part of coreutils"
need systemctl "systemd is required to restart ${TJ_RESTART_UNITS}"
need aws "install the AWS CLI v2 in the image (e.g. snap install aws-cli --classic); the instance role supplies credentials"
[[ -n $TJ_CA_URL ]] && need curl "it downloads the CA bundle"
[[ -n $TJ_PG_PASS_JSON_KEY || -n $TJ_TJDB_PASS_JSON_KEY ]] && need python3 "it reads the password out of a JSON secret"

# --- 1. CA bundle: download and verify -----------------------------------------------------------------------------
mkdir -p "$(dirname "$CA_FILE")"
ca_tmp=$(mktemp "$CA_FILE.download.XXXXXX")
TMP_FILES+=("$ca_tmp")
if [[ -n $TJ_CA_S3_BUCKET ]]; then
  ca_src="s3://$TJ_CA_S3_BUCKET/$TJ_CA_S3_KEY"
  version_args=()
  [[ -n $TJ_CA_S3_VERSION_ID ]] && version_args=(--version-id "$TJ_CA_S3_VERSION_ID")
  aws s3api get-object --region "$TJ_REGION" --bucket "$TJ_CA_S3_BUCKET" --key "$TJ_CA_S3_KEY" \
    "${version_args[@]}" "$ca_tmp" >/dev/null ||
    die "cannot download the CA bundle $ca_src (the instance role needs s3:GetObject on it, and kms:Decrypt when the bucket uses a customer KMS key)"
else
  ca_src=$TJ_CA_URL
  curl --fail --silent --show-error --location --proto '=https' --tlsv1.2 --retry 3 --max-time 120 \
    --output "$ca_tmp" "$TJ_CA_URL" || die "cannot download the CA bundle from $TJ_CA_URL"
fi
ca_sum=$(sha256sum "$ca_tmp")
ca_sum=${ca_sum%% *}
[[ $ca_sum == "$TJ_CA_SHA256" ]] ||
  die "the CA bundle from $ca_src has SHA-256 $ca_sum, expected $TJ_CA_SHA256: refusing to install it (nothing was changed)"

# --- 2. passwords --------------------------------------------------------------------------------------------------
pg_pass=$(read_secret "$TJ_PG_PASS_SOURCE" "$TJ_PG_PASS_ID" "$TJ_PG_PASS_JSON_KEY") || die "no database password: nothing was changed"
if [[ -n $TJ_TJDB_PASS_SOURCE ]]; then
  tjdb_pass=$(read_secret "$TJ_TJDB_PASS_SOURCE" "$TJ_TJDB_PASS_ID" "$TJ_TJDB_PASS_JSON_KEY") || die "no ToolJet Database password: nothing was changed"
else
  tjdb_pass=$pg_pass
fi

# --- 3. the new .env -----------------------------------------------------------------------------------------------
set_line PG_HOST "$TJ_PG_HOST"
set_line PG_PORT "$TJ_PG_PORT"
set_line PG_USER "$TJ_PG_USER"
set_line PG_PASS "$pg_pass"
set_line PG_DB "$TJ_PG_DB"
set_line TOOLJET_DB "$TJ_TOOLJET_DB"
set_line TOOLJET_DB_HOST "$TJ_TOOLJET_DB_HOST"
set_line TOOLJET_DB_PORT "$TJ_TOOLJET_DB_PORT"
set_line TOOLJET_DB_USER "$TJ_TOOLJET_DB_USER"
set_line TOOLJET_DB_PASS "$tjdb_pass"
set_line PGRST_DB_URI "postgres://$(urlencode "$TJ_TOOLJET_DB_USER"):$(urlencode "$tjdb_pass")@$TJ_TOOLJET_DB_HOST:$TJ_TOOLJET_DB_PORT/$(urlencode "$TJ_TOOLJET_DB")?sslmode=$TJ_PGSSLMODE&sslrootcert=$(urlencode "$TJ_CA_FILE" /)"
set_line PGSSLMODE "$TJ_PGSSLMODE"
set_line PGSSLROOTCERT "$TJ_CA_FILE"
set_line NODE_EXTRA_CA_CERTS "$TJ_CA_FILE"

env_tmp=$(mktemp "$ENV_FILE.new.XXXXXX")
TMP_FILES+=("$env_tmp")
merge_env <"$ENV_FILE" >"$env_tmp"
# 0600 whatever the file had: it holds PG_PASS and the PostgREST URI with the password. The owner stays (ToolJet's
# units run as it and read the file).
chmod 0600 "$env_tmp"
chown --reference="$ENV_FILE" "$env_tmp"

# --- 4. install and restart ----------------------------------------------------------------------------------------
chmod 0644 "$ca_tmp"
mv -f "$ca_tmp" "$CA_FILE"
log "installed $TJ_CA_FILE (sha256 $ca_sum)"
if cmp -s "$env_tmp" "$ENV_FILE"; then
  log "$TJ_ENV_FILE already up to date"
  if [[ $(stat -c %a "$ENV_FILE") != 600 ]]; then
    chmod 0600 "$ENV_FILE"
    log "made $TJ_ENV_FILE readable by its owner only (mode 600): it holds the database password"
  fi
else
  mv -f "$env_tmp" "$ENV_FILE"
  log "updated the database and TLS settings in $TJ_ENV_FILE (database host $TJ_PG_HOST)"
fi
if ((${#DISABLED[@]})); then
  log "commented out ${DISABLED[*]} in $TJ_ENV_FILE: with them ToolJet/Node would not verify the database certificate (or would keep the old host)"
fi
# enable: a failed earlier run (or the operator) disabled them; pointed at the right database they start at boot again.
for unit in $TJ_RESTART_UNITS; do
  systemctl enable "$unit" || die "systemctl enable $unit failed"
  systemctl restart "$unit" || die "systemctl restart $unit failed: see journalctl -u $unit"
  log "restarted $unit"
done
