#!/bin/bash
# smenv notebook lifecycle, on-start: runs as root each time the notebook instance starts.
# With idle_minutes > 0, installs the idle auto-stop: lifecycle/autostop.py (embedded below,
# gzip + base64) and a cron entry that runs it every 5 minutes; with idle_minutes = 0, installs
# nothing and removes what an earlier start installed. Fetches nothing from the internet.
# Rendered by Terraform's templatefile() (see lifecycle/README.md); the values below are its.
# Overridable for tests: CRON_DIR, AUTOSTOP_DIR, AUTOSTOP_PYTHON.
set -euo pipefail

IDLE_MINUTES='${idle_minutes}'
CRON_DIR="$${CRON_DIR:-/etc/cron.d}"
AUTOSTOP_DIR="$${AUTOSTOP_DIR:-/usr/local/lib/smenv}"
CRON_FILE="$CRON_DIR/smenv-autostop"
SCRIPT="$AUTOSTOP_DIR/autostop.py"

log() { printf '%s smenv-on-start: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*"; }
fail() { log "ERROR: $*" >&2; exit 1; }

[[ "$IDLE_MINUTES" =~ ^[0-9]+$ ]] || fail "idle_minutes '$IDLE_MINUTES' is not a whole number of minutes"
%{ if idle_minutes > 0 ~}
REGION='${replace(region, "'", "'\\''")}'
[[ "$REGION" =~ ^[a-z]{2}(-gov)?-[a-z]+-[0-9]$ ]] || fail "region '$REGION' is not an AWS region"
# The notebook server's own Python environment: it has boto3 on every SageMaker notebook instance.
PYTHON="$${AUTOSTOP_PYTHON:-/home/ec2-user/anaconda3/envs/JupyterSystemEnv/bin/python}"
[[ "$PYTHON$SCRIPT" != *[[:space:]]* ]] || fail "paths with spaces cannot go in a cron entry: $PYTHON $SCRIPT"
"$PYTHON" -c 'import boto3' >/dev/null 2>&1 || fail "$PYTHON cannot import boto3: auto-stop cannot work"

mkdir -p "$AUTOSTOP_DIR" "$CRON_DIR"
tmp_script="$(mktemp "$AUTOSTOP_DIR/.autostop.XXXXXX")"
tmp_cron="$(mktemp "$CRON_DIR/.smenv-autostop.XXXXXX")"  # cron ignores dot files
trap 'rm -f "$tmp_script" "$tmp_cron"' EXIT

base64 -d <<'AUTOSTOP_PY' | gzip -dc >"$tmp_script"
${autostop_py_gz_b64}
AUTOSTOP_PY
"$PYTHON" "$tmp_script" --help >/dev/null || fail "autostop.py does not run with $PYTHON"
chmod 0755 "$tmp_script"
mv -f "$tmp_script" "$SCRIPT"

{
  echo "# smenv: stop this notebook instance after $IDLE_MINUTES idle minutes (lifecycle on-start)"
  echo "*/5 * * * * root $PYTHON $SCRIPT --idle-minutes $IDLE_MINUTES --region $REGION 2>&1 | /usr/bin/logger -t smenv-autostop"
} >"$tmp_cron"
chmod 0644 "$tmp_cron"
mv -f "$tmp_cron" "$CRON_FILE"
log "auto-stop installed: $CRON_FILE runs $SCRIPT every 5 minutes; stop after $IDLE_MINUTES idle minutes"
%{ else ~}
rm -f "$CRON_FILE" "$SCRIPT"
log "auto-stop disabled (idle_minutes = 0): nothing installed"
%{ endif ~}
