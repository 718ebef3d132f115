#!/usr/bin/env bash
# CI: environment.yml works as conda and Binder-like services use it. Its pip
# section (every package of requirements.lock at the lock's version, then `-e .`)
# is installed with pip into a fresh virtual environment, as conda does, and the
# first chapter is executed in that environment by nbval.
set -euo pipefail
cd "$(dirname "$0")/../.."
chapter=book/01-simulating-nested-data.ipynb
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The pip section, read with the project's own .venv (made by `make test`).
.venv/bin/python - environment.yml >"$work/requirements.txt" <<'PY'
import sys, yaml
deps = yaml.safe_load(open(sys.argv[1]))["dependencies"]
print("\n".join(next(d["pip"] for d in deps if isinstance(d, dict) and "pip" in d)))
PY
echo "env_check: installing $(grep -c . "$work/requirements.txt") requirements of environment.yml into a fresh venv"
python3 -m venv "$work/venv"
start=$SECONDS
# (Without this machine's notes that its extra local package folders lack a package.)
"$work/venv/bin/python" -m pip install --quiet --disable-pip-version-check -U -r "$work/requirements.txt" \
  2> >(grep -v "^WARNING: Location 'file://" >&2)
echo "env_check: installed in $((SECONDS - start)) s; executing $chapter"
"$work/venv/bin/python" -m pytest -p no:cacheprovider -q --nbval --nbval-current-env \
  --nbval-sanitize-with tests/sanitize.cfg "$chapter"
