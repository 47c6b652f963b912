#!/usr/bin/env bash
# The package as users install it: `pip install .` (not editable) into a fresh venv, run from
# outside the source tree. Without the OCR extra a scan gets a finding naming the extra;
# with `.[ocr]` the same scan is read.
#   bash scripts/check_install.sh            (make install-check; part of make test)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DEV_PYTHON="${DEV_PYTHON:-$ROOT/.venv/bin/python}"
WORK="$(mktemp -d /tmp/annexkit-install-XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"

echo "== wheel, fresh venv, pip install (no extras)"
"$DEV_PYTHON" -m pip wheel --quiet --no-deps --wheel-dir "$WORK/wheel" "$ROOT" \
    > "$WORK/wheel.log" 2>&1 || { cat "$WORK/wheel.log"; exit 1; }
WHEEL="$(ls "$WORK"/wheel/annexkit-*.whl)"
python3 -m venv "$WORK/venv"
pip_install() {
    "$WORK/venv/bin/python" -m pip install --quiet "$@" > "$WORK/pip.log" 2>&1 \
        || { cat "$WORK/pip.log"; exit 1; }
}
pip_install --upgrade pip
pip_install "$WHEEL"
if "$WORK/venv/bin/python" -c "import numpy" 2>/dev/null; then
    echo "FAIL: the base install pulled in numpy (the OCR stack belongs to [ocr])"; exit 1
fi

echo "== the sample packages, from outside the source tree"
"$WORK/venv/bin/annex" check "$ROOT/samples/packages" --expect --workers 2 | tail -1

echo "== a scan without the OCR extra"
(cd "$ROOT" && "$DEV_PYTHON" -m tests.scan_sample "$WORK/scan.png" >/dev/null)
set +e
"$WORK/venv/bin/annex" check "$WORK/scan.png" --format json --workers 1 > "$WORK/no-ocr.json"
status=$?
set -e
[ "$status" = 1 ] || { echo "FAIL: exit status $status, expected 1 (a finding)"; exit 1; }
grep -q "annexkit\[ocr\]" "$WORK/no-ocr.json" \
    || { echo "FAIL: no finding naming the OCR extra"; cat "$WORK/no-ocr.json"; exit 1; }
echo "ok: unreadable-document naming pip install 'annexkit[ocr]'"

echo "== pip install '.[ocr]' reads it"
pip_install "$WHEEL[ocr]"
set +e
"$WORK/venv/bin/annex" check "$WORK/scan.png" --format json --workers 1 > "$WORK/ocr.json"
set -e
"$WORK/venv/bin/python" - "$WORK/ocr.json" <<'PY'
import json, sys
report = json.load(open(sys.argv[1], encoding="utf-8"))
[document] = report["packages"][0]["documents"]
assert document["extraction"]["engine"] == "ocr", document["extraction"]
assert document["annex"] == "signin", document["annex"]
assert document["data"]["rows"], "no rows read"
print(f"ok: read by OCR as {document['annex']}, {len(document['data']['rows'])} rows")
PY
