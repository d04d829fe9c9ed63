#!/usr/bin/env bash
# The Python package, checked as a user meets it: a virtual
# environment under target/ (made if missing) gets the tools
# (python/requirements-dev.txt),
# the package is installed with the README's one command (`pip install
# ./python`, which builds the native module with maturin), then its pytest
# suite runs against the release binary, the README's Python example runs
# and must print what the README shows, and examples/policy-analysis.ipynb
# is executed with nbclient (matplotlib on its inline backend, which draws
# with Agg and needs no display). Also lints the native module (clippy -D
# warnings) and prints the wheel's size. `bash scripts/check-python.sh`
set -euo pipefail
cd "$(dirname "$0")/.."

venv=target/python
if [[ ! -x "$venv/bin/python" ]]; then
    python3 -m venv "$venv"
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check -r python/requirements-dev.txt

echo "python: clippy on the native module"
cargo clippy -p escrowsim-python --all-targets -- -D warnings

echo "python: the release binary the tests compare with"
cargo build --release --quiet

echo "python: building the wheel"
started=$(date +%s)
rm -rf target/python-wheels
"$venv/bin/maturin" build --quiet --release -m python/Cargo.toml --out target/python-wheels
wheel=$(ls target/python-wheels/*.whl)
echo "python: $(basename "$wheel"): $(stat -c %s "$wheel") bytes, built in $(( $(date +%s) - started )) s"

echo "python: pip install ./python (the README's command)"
"$venv/bin/pip" install --quiet --disable-pip-version-check --force-reinstall --no-deps ./python

echo "python: pytest"
ESCROWSIM_BINARY="$PWD/target/release/escrowsim" "$venv/bin/python" -m pytest -q python/tests

echo "python: the README's Python example prints what the README shows"
"$venv/bin/python" - <<'PY'
import re, subprocess, sys
readme = open("README.md").read()
section = readme[readme.index("\n## Python\n"):]
code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
shown = re.search(r"```python\n.*?```\n.*?```text\n(.*?)```", section, re.S).group(1)
printed = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
if printed != shown:
    sys.exit(f"README.md's Python example printed:\n{printed}\nbut the README shows:\n{shown}")
print("README example: output matches")
PY

echo "python: executing examples/policy-analysis.ipynb"
"$venv/bin/python" - <<'PY'
import nbclient, nbformat
notebook = nbformat.read("examples/policy-analysis.ipynb", as_version=4)
nbclient.NotebookClient(
    notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": "examples"}}
).execute()
figures = sum(
    1
    for cell in notebook.cells
    if cell.cell_type == "code"
    for output in cell.get("outputs", [])
    if "image/png" in output.get("data", {})
)
assert figures >= 1, "the notebook drew no figure"
print(f"notebook: {len(notebook.cells)} cells executed, {figures} figure(s)")
PY
