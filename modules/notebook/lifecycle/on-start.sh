#!/bin/bash
# smenv notebook lifecycle, on-start: runs as root at each start. idle_minutes > 0: installs
# autostop.py (embedded, gzip + base64) and a cron entry running it every 5 minutes as root with
# the OS's python3 -I -S, never anything the notebook user can write; 0: removes both.
# Rendered by Terraform's templatefile(): see lifecycle/README.md. Tests may set CRON_DIR,
# AUTOSTOP_DIR and AUTOSTOP_PYTHON.
set -euo pipefail
umask 022
export PATH=/usr/sbin:/usr/bin:/sbin:/bin

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
PYTHON="$${AUTOSTOP_PYTHON:-/usr/bin/python3}"  # the OS's: autostop.py needs only its standard library

# root_only PATH WHAT: PATH and each directory above it are root's (or the runner's: root on an
# instance) and writable by no one else, sticky directories aside (/tmp: ours stay ours there).
root_only() {
  local path="$1" uid mode
  while :; do
    read -r uid mode < <(stat -c '%u %a' -- "$path") || fail "$2 $1: cannot stat $path"
    [[ "$uid" == 0 || "$uid" == "$EUID" ]] || fail "$2 $1: $path belongs to uid $uid"
    if ((8#$mode & 8#022)) && [[ "$path" == "$1" || $((8#$mode & 8#1000)) == 0 ]]; then
      fail "$2 $1: others than root can write $path (mode $mode)"
    fi
    [[ "$path" == / ]] && return 0
    path="$(dirname -- "$path")"
  done
}

python="$(readlink -e -- "$PYTHON")" || fail "no python at $PYTHON"
[[ -f "$python" ]] || fail "no python at $PYTHON"
root_only "$python" python
lib="$("$python" -I -S -c 'import os; print(os.path.dirname(os.path.realpath(os.__file__)))')" || fail "$python fails"
root_only "$lib" "python library"
# and each file in it (site-packages aside: -S keeps it off the path)
[[ -z "$(find "$lib" -name site-packages -prune -o ! -type l \( ! -uid 0 ! -uid "$EUID" -o -perm /022 \) -print -quit)" ]] ||
  fail "python library $lib: others than root can write files in it"
mkdir -p "$AUTOSTOP_DIR" "$CRON_DIR"
root_only "$(readlink -e -- "$AUTOSTOP_DIR")" "auto-stop directory"
root_only "$(readlink -e -- "$CRON_DIR")" "cron directory"
[[ "$python$SCRIPT" != *[[:space:]]* ]] || fail "paths with spaces cannot go in a cron entry: $python $SCRIPT"

tmp_script="$(mktemp "$AUTOSTOP_DIR/.autostop.XXXXXX")"
tmp_cron="$(mktemp "$CRON_DIR/.smenv-autostop.XXXXXX")"  # cron ignores dot files
trap 'rm -f "$tmp_script" "$tmp_cron"' EXIT

base64 -d <<'AUTOSTOP_PY' | gzip -dc >"$tmp_script"
${autostop_py_gz_b64}
AUTOSTOP_PY
chmod 0755 "$tmp_script"
"$python" -I -S "$tmp_script" --help >/dev/null || fail "autostop.py does not run with $python"
mv -f "$tmp_script" "$SCRIPT"

{
  echo "# smenv: stop this notebook instance after $IDLE_MINUTES idle minutes (lifecycle on-start)"
  echo "*/5 * * * * root $python -I -S $SCRIPT --idle-minutes $IDLE_MINUTES --region $REGION 2>&1 | /usr/bin/logger -t smenv-autostop"
} >"$tmp_cron"
chmod 0644 "$tmp_cron"
mv -f "$tmp_cron" "$CRON_FILE"
log "auto-stop installed: $CRON_FILE runs $python -I -S $SCRIPT every 5 minutes; stop after $IDLE_MINUTES idle minutes"
%{ else ~}
rm -f "$CRON_FILE" "$SCRIPT"
log "auto-stop disabled (idle_minutes = 0): nothing installed"
%{ endif ~}
