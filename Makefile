# annexkit — set-up, main job, tests. Every target sets up what it needs first.
#   make run    the checking service with the sample packages submitted (PORT=8000)
#   make test   ruff, mypy, the whole test suite and the sample packages

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.annexkit-installed
DEBIAN_PACKAGES := libreoffice-writer-nogui fonts-noto-cjk fonts-liberation poppler-utils chromium
SAMPLE := samples/classes/jiangmen-electrician-2025/class.yaml

.PHONY: setup system-packages run test lint typecheck unit samples install-check bench clean

setup: system-packages $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

# LibreOffice (DOCX→PDF), CJK fonts, Liberation (metric-compatible Times New Roman),
# poppler-utils (pdffonts, pdftoppm) and Chromium (the HTML report's and the web page's
# browser tests, driven headless; no browser is downloaded) come from Debian.
system-packages:
	@if command -v soffice >/dev/null && command -v pdffonts >/dev/null \
	    && command -v chromium >/dev/null \
	    && fc-list 2>/dev/null | grep -q 'Noto Serif CJK SC' \
	    && fc-list 2>/dev/null | grep -q 'Liberation Serif'; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing Debian packages: $(DEBIAN_PACKAGES)"; \
	    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
	        --no-install-recommends $(DEBIAN_PACKAGES); \
	elif command -v sudo >/dev/null && sudo -n true 2>/dev/null && command -v apt-get >/dev/null; then \
	    echo "Installing Debian packages with sudo: $(DEBIAN_PACKAGES)"; \
	    sudo apt-get update -q && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
	        --no-install-recommends $(DEBIAN_PACKAGES); \
	else \
	    echo "注意 Note: 无法安装 $(DEBIAN_PACKAGES)（需要 root 或 sudo 的 apt-get）。"; \
	    echo "  DOCX 生成可用，PDF 生成与相关测试不可用。/ Cannot install them (needs apt-get"; \
	    echo "  as root or with sudo): DOCX generation works, PDF output and its tests do not."; \
	    echo "  请管理员运行 / ask an administrator to run: apt-get install $(DEBIAN_PACKAGES)"; \
	fi

# The service on its SQLite default in $(DATA) (kept between runs), with the sample class's
# package generated into out/sample and submitted with samples/packages; prints the address
# and a reviewer's and an institution's token and password. Ctrl-C stops it.
PORT ?= 8000
DATA ?= annex-data/demo
run: setup
	$(BIN)/python -m scripts.run_service --port $(PORT) --data $(DATA) --out out/sample

lint: setup
	$(BIN)/ruff check annexkit checker generator service scripts tests benchmarks
	$(BIN)/ruff format --check annexkit checker generator service scripts tests benchmarks

typecheck: setup
	$(BIN)/python scripts/typecheck.py

# Includes the variation corpus's acceptance test (tests/test_accuracy.py, issue 10's targets
# on a slice of digital packages; `-m 'not accuracy'` leaves it out when iterating).
unit: setup
	$(BIN)/pytest -q

# Each sample package must give exactly the findings its expected.yaml lists.
samples: setup
	$(BIN)/annex check samples/packages --expect

# The package as users get it: a wheel in a fresh venv, without and with the OCR extra.
install-check: setup
	DEV_PYTHON=$(abspath $(BIN))/python bash scripts/check_install.sh

test: lint typecheck unit samples install-check

# Speed and accuracy figures (minutes; compare ratios within one run on a shared machine).
bench: setup
	$(BIN)/python -m benchmarks.bench_generate
	$(BIN)/python -m benchmarks.bench_readers
	$(BIN)/python -m benchmarks.bench_check
	$(BIN)/python -m benchmarks.bench_cli
	$(BIN)/python -m benchmarks.bench_ocr

clean:
	rm -rf out .pytest_cache .mypy_cache .ruff_cache build *.egg-info

fuzz: setup
	FUZZ_CASES=3000 $(BIN)/pytest -q -s -p no:cacheprovider tests/test_fuzz.py
