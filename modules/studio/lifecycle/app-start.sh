#!/bin/bash
# smenv Studio lifecycle configuration: runs at the start of every ${app} app of the domain, as the
# app's user. Rendered by modules/studio with templatefile(). The domain is VpcOnly: nothing is
# fetched and nothing installed; it writes settings into the user's home (the domain's encrypted
# EFS) so that the AWS SDKs and pip behave in a VPC without internet access. A file the user
# already has is left as it is.
set -euo pipefail
umask 077

REGION='${replace(region, "'", "'\\''")}'
PARAMETER_PREFIX='${replace(parameter_prefix, "'", "'\\''")}'

log() { printf '%s smenv-studio-start: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*"; }
fail() {
  log "ERROR: $*" >&2
  exit 1
}

[[ "$REGION" =~ ^[a-z]{2}(-gov)?-[a-z]+-[0-9]$ ]] || fail "region '$REGION' is not an AWS region"
[[ -z "$PARAMETER_PREFIX" || "$PARAMETER_PREFIX" =~ ^/[a-z0-9][a-z0-9/_-]*$ ]] || fail "'$PARAMETER_PREFIX' is not an SSM path"
[[ -n "$${HOME:-}" && -d "$HOME" ]] || fail "no home directory"

# write_new FILE: the standard input into FILE, unless the user already has one.
write_new() {
  if [[ -e "$1" ]]; then
    log "kept $1 (the user's own)"
    cat >/dev/null
  else
    mkdir -p "$(dirname -- "$1")"
    cat >"$1"
    log "wrote $1"
  fi
}

# The SDKs and the CLI: the environment's region, and STS's regional endpoint, which the VPC's sts
# interface endpoint answers (the global sts.amazonaws.com is on the internet).
write_new "$HOME/.aws/config" <<EOF
[default]
region = $REGION
sts_regional_endpoints = regional
EOF

# pip: the VPC has no route to PyPI; fail in seconds rather than retry for minutes.
write_new "$HOME/.config/pip/pip.conf" <<'EOF'
[global]
timeout = 5
retries = 0
EOF

# Terminals: where the environment contract lives (README, "The environment contract").
write_new "$HOME/.config/smenv/env.sh" <<EOF
export AWS_DEFAULT_REGION='$REGION'
export AWS_STS_REGIONAL_ENDPOINTS=regional
export SMENV_PARAMETER_PREFIX='$PARAMETER_PREFIX'
EOF
# shellcheck disable=SC2016 # written as is: expanded by the shell that reads .bashrc
line='[ -f "$HOME/.config/smenv/env.sh" ] && . "$HOME/.config/smenv/env.sh"'
touch "$HOME/.bashrc"
grep -qxF "$line" "$HOME/.bashrc" || printf '%s\n' "$line" >>"$HOME/.bashrc"
log "done: region $REGION, contract $${PARAMETER_PREFIX:-(none)}"
