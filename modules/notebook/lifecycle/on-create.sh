#!/bin/bash
# smenv notebook lifecycle, on-create: runs once, as root, when the notebook instance is created.
# Copies the team's notebooks (*.ipynb, sub-folders kept) from the data bucket's notebooks prefix
# into the notebook directory, clears their outputs, puts the team's bucket name where they hold
# the placeholder, and gives them to the notebook user. No notebooks under the prefix is fine.
# Rendered by Terraform's templatefile() (see lifecycle/README.md); the values below are its.
# Overridable for tests: JUPYTER (the jupyter command), AWS_CLI (the aws command).
set -euo pipefail

DATA_BUCKET='${replace(data_bucket, "'", "'\\''")}'
NOTEBOOKS_PREFIX='${replace(notebooks_prefix, "'", "'\\''")}'
PLACEHOLDER='${replace(bucket_placeholder, "'", "'\\''")}'
NOTEBOOK_USER='${replace(notebook_user, "'", "'\\''")}'
NOTEBOOK_DIR='${replace(notebook_dir, "'", "'\\''")}'
export AWS_DEFAULT_REGION='${replace(region, "'", "'\\''")}' AWS_REGION='${replace(region, "'", "'\\''")}'
JUPYTER="$${JUPYTER:-/home/ec2-user/anaconda3/envs/JupyterSystemEnv/bin/jupyter}"
AWS_CLI="$${AWS_CLI:-aws}"

log() { printf '%s smenv-on-create: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*"; }
fail() { log "ERROR: $*" >&2; exit 1; }

[[ "$DATA_BUCKET" =~ ^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$ ]] || fail "data_bucket '$DATA_BUCKET' is not an S3 bucket name"
[[ -n "$PLACEHOLDER" ]] || fail "bucket_placeholder is empty"
id -u "$NOTEBOOK_USER" >/dev/null 2>&1 || fail "notebook_user '$NOTEBOOK_USER' does not exist"
[[ -x "$JUPYTER" ]] || fail "jupyter not found at $JUPYTER"

prefix="$${NOTEBOOKS_PREFIX#/}"
[[ -z "$prefix" ]] || prefix="$${prefix%/}/"
source="s3://$DATA_BUCKET/$prefix"

# Everything happens in a staging directory first: the notebook directory gets finished notebooks or nothing.
staging="$(mktemp -d)"
trap 'rm -rf "$staging"' EXIT

log "copying *.ipynb from $source"
"$AWS_CLI" s3 cp "$source" "$staging/" --recursive --exclude '*' --include '*.ipynb' --only-show-errors
# The CLI also creates directories for keys it skipped; keep only those that hold notebooks.
find "$staging" -mindepth 1 -type d -empty -delete
notebooks=()  # bash 4.2 (Amazon Linux 2) has no mapfile -d
while IFS= read -r -d '' notebook; do notebooks+=("$notebook"); done < <(find "$staging" -type f -name '*.ipynb' -print0)
if [[ $${#notebooks[@]} -eq 0 ]]; then
  log "no notebooks under $source: nothing to copy"
  exit 0
fi
log "$${#notebooks[@]} notebook(s) copied; clearing outputs"

"$JUPYTER" nbconvert --log-level=WARN --to notebook --inplace --ClearOutputPreprocessor.enabled=True "$${notebooks[@]}"

# The placeholder and the bucket name are taken literally (escaped for sed), never as patterns.
pattern="$(printf '%s' "$PLACEHOLDER" | sed -e 's/[]\/$*.^[]/\\&/g')"
replacement="$(printf '%s' "$DATA_BUCKET" | sed -e 's/[\/&]/\\&/g')"
sed -i -e "s/$pattern/$replacement/g" -- "$${notebooks[@]}"
log "placeholder $PLACEHOLDER replaced by $DATA_BUCKET wherever it appeared"

mkdir -p "$NOTEBOOK_DIR"
chown "$NOTEBOOK_USER:" "$NOTEBOOK_DIR"
cp -R -- "$staging/." "$NOTEBOOK_DIR/"
# Ownership of what was copied (and the directories it made); nothing else in the directory changes hands.
(cd "$staging" && find . -mindepth 1 -print0) | (cd "$NOTEBOOK_DIR" && xargs -0 -r chown "$NOTEBOOK_USER:")
log "$${#notebooks[@]} notebook(s) ready in $NOTEBOOK_DIR for $NOTEBOOK_USER"
