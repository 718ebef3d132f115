#!/usr/bin/env bash
# CI: every reader notebook (notebooks/, what Binder's and Colab's buttons open) runs
# top to bottom where readers run it.
#
#   binder  a fresh venv built as Binder builds it: binder/postBuild (the reader's lock
#           with hashes, --no-deps, then the book's package), Python 3.11 as runtime.txt.
#   colab   a fresh Python 3.12 venv holding Colab's preinstalled numpy, pandas, scipy,
#           statsmodels and matplotlib (COLAB_PREINSTALLED below); then each notebook's
#           own first cell installs what Colab lacks, as on Colab (google.colab
#           imported), from this checkout instead of the repository's address.
#
# Usage: tests/ci/reader_check.sh binder|colab [NOTEBOOK ...]   (default: all of notebooks/)
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
kind=${1:?usage: reader_check.sh binder|colab [NOTEBOOK ...]}
shift
notebooks=("$@")
[ ${#notebooks[@]} -gt 0 ] || notebooks=(notebooks/*.ipynb)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
quiet_pip() { "$@" 2> >(grep -v "^WARNING: Location 'file://" >&2); }

# Colab's runtime (a fresh Colab's `pip list`, 2026): Python 3.12 and these versions.
COLAB_PYTHON=${COLAB_PYTHON:-3.12}
COLAB_PREINSTALLED="numpy==2.0.2 pandas==2.2.2 scipy==1.15.3 statsmodels==0.14.5 matplotlib==3.10.0 ipykernel==6.17.1 nbclient==0.10.2"

start=$SECONDS
case "$kind" in
  binder)
    python3.11 -m venv "$work/venv" 2>/dev/null || python3 -m venv "$work/venv"
    (source "$work/venv/bin/activate" && quiet_pip bash binder/postBuild >/dev/null)
    ;;
  colab)
    py=$(command -v "python$COLAB_PYTHON" || true)
    [ -n "$py" ] && ! "$py" -c pass 2>/dev/null && py=""   # a pyenv shim of another version
    if [ -z "$py" ] && command -v pyenv >/dev/null; then
      version=$(pyenv versions --bare | grep "^$COLAB_PYTHON" | tail -1 || true)
      [ -n "$version" ] && py=$(PYENV_VERSION=$version pyenv which python)
    fi
    [ -n "$py" ] || { echo "reader_check: no Python $COLAB_PYTHON to simulate Colab" >&2; exit 1; }
    "$py" -m venv "$work/venv"
    # shellcheck disable=SC2086
    quiet_pip "$work/venv/bin/python" -m pip install --quiet --disable-pip-version-check $COLAB_PREINSTALLED
    ;;
  *) echo "usage: reader_check.sh binder|colab [NOTEBOOK ...]" >&2; exit 2 ;;
esac
# The Colab cell as `make colab` writes it for a repository address, read with the
# project's own .venv (made by `make test`); the simulation installs this checkout instead.
.venv/bin/python -c "from pathlib import Path; from bookchain import colab, repository
print(colab.cell_source(repository.parse('owner/book'), colab.pins(Path('.'))))" >"$work/colab_cell.py"
echo "reader_check ($kind): environment built in $((SECONDS - start)) s; executing ${#notebooks[@]} notebooks"

"$work/venv/bin/python" - "$kind" "$root" "$work/colab_cell.py" "${notebooks[@]}" <<'PY'
"""Execute each reader notebook in a fresh kernel; on 'colab', as Colab would."""
import re
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

kind, root, cell_file, paths = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]), sys.argv[4:]
MARKER = "# Colab set-up (python -m bookchain.colab)"
# On Colab: google.colab is importable, and the first cell installs the book's package
# from the repository; here from this checkout (the cell's pins stay as they are).
FAKE_COLAB = "import sys, types\nsys.modules['google.colab'] = types.ModuleType('google.colab')\n"
failed = []
for path in map(Path, paths):
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    if kind == "colab":
        colab = next((c for c in code if MARKER in c.source), None)
        if colab is None:
            failed.append(f"{path}: no Colab set-up cell")
            continue
        cell = re.sub(r'"lmmbook @ git\+[^"]+"', repr(str(root)), cell_file.read_text())
        assert cell != cell_file.read_text(), "the Colab cell no longer installs lmmbook from git"
        colab.source = FAKE_COLAB + cell
    start = time.perf_counter()
    try:
        NotebookClient(nb, timeout=600, kernel_name="python3",
                       resources={"metadata": {"path": str(path.parent)}}).execute()
    except Exception as error:  # noqa: BLE001 - report every notebook, then fail
        failed.append(f"{path}: {type(error).__name__}: {str(error).strip().splitlines()[-1][:300]}")
        continue
    print(f"reader_check ({kind}): {path} ran top to bottom in {time.perf_counter() - start:.1f} s")
for line in failed:
    print(f"reader_check ({kind}): FAILED {line}", file=sys.stderr)
sys.exit(1 if failed else 0)
PY
