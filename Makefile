# cer-run — set-up, build, test and demo. `make demo` and `make test` install what is missing on a
# fresh Debian machine (run as root): apt packages, the dev chain's Python venv, the Swift build.

SWIFT        ?= swift
PYTHON       ?= python3
VENV         := devchain/.venv
VENV_PY      := $(VENV)/bin/python
VENV_STAMP   := $(VENV)/.requirements.stamp
APT_PACKAGES := libsecp256k1-dev libcurl4-openssl-dev pkg-config python3 python3-venv postgresql
APT_STAMP    := .build/.apt-packages.stamp

.PHONY: all deps devchain-venv build lint format test test-swift test-devchain test-browser test-api test-portal demo demo-chain gas-report bench contracts clean

all: build

## deps: install the Debian packages the build needs (only those missing).
deps: $(APT_STAMP)
$(APT_STAMP):
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  if [ "$$(id -u)" -ne 0 ]; then echo "error: run as root (or install:$$missing)"; exit 1; fi; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi
	@mkdir -p .build && touch $@

## devchain-venv: the dev chain's Python environment, pinned by devchain/requirements.txt.
devchain-venv: $(VENV_STAMP)
$(VENV_STAMP): devchain/requirements.txt | $(APT_STAMP)
	@test -x $(VENV_PY) || $(PYTHON) -m venv $(VENV)
	$(VENV_PY) -m pip install --quiet --disable-pip-version-check -r devchain/requirements.txt
	@touch $@

## build: compile cer-run (debug).
build: $(APT_STAMP)
	$(SWIFT) build

## lint: swift format in strict mode over Sources and Tests.
lint:
	$(SWIFT) format lint --strict --recursive Sources Tests Package.swift

## format: rewrite Sources and Tests in the committed style.
format:
	$(SWIFT) format format --in-place --recursive Sources Tests Package.swift

## test: lint, Swift unit + integration tests (they start dev chains), dev chain tests, the
## session report rendered in headless Chromium.
test: lint devchain-venv build test-swift test-devchain test-browser test-api test-portal

test-swift: $(VENV_STAMP)
	$(SWIFT) test

test-devchain: $(VENV_STAMP)
	cd devchain && .venv/bin/python -m pytest -q tests

## test-browser: run the DST fixture session, then render its report.html in headless Chromium
## (no network) and check the screenshot and every number of the page against report-data.json.
BROWSER_RUNS := .build/browser-runs
BROWSER_STAMP := .build/.chromium.stamp
$(BROWSER_STAMP): | $(APT_STAMP)
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" -ne 0 ]; then echo "error: run as root (or install chromium)"; exit 1; fi; \
	  echo "installing: chromium fonts-dejavu-core"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core; }
	@touch $@
test-browser: $(VENV_STAMP) $(BROWSER_STAMP) build
	rm -rf $(BROWSER_RUNS)
	$(SWIFT) run --skip-build cer-run run fixtures/manifests/dst-settlement.yaml --runs $(BROWSER_RUNS) --quiet
	$(SWIFT) run --skip-build cer-run report $(BROWSER_RUNS)/fixture-dst
	CER_REPORT_DIR=$(abspath $(BROWSER_RUNS))/fixture-dst PYTHONDONTWRITEBYTECODE=1 $(VENV_PY) -m pytest -q -p no:cacheprovider Tests/browser

## demo: run manifests/demo.yaml (10 members, dev chain) from scratch: deploy, register, fund, commit,
## reveal, clear, publish, validate against generated 15-minute meter data, settle, report; then status.
DEMO_DATE ?= $(shell date -u -d "+2 days" +%F)
demo: devchain-venv build
	rm -rf runs/demo
	@mkdir -p manifests/demo/meters
	$(PYTHON) manifests/demo/make-meters.py $(DEMO_DATE) > manifests/demo/meters/$(DEMO_DATE).csv
	$(SWIFT) run --skip-build cer-run run manifests/demo.yaml --date $(DEMO_DATE) --runs runs/demo
	$(SWIFT) run --skip-build cer-run status manifests/demo.yaml --date $(DEMO_DATE) --runs runs/demo

## demo-chain: the chain layer alone: deploy a contract, send and confirm signed transactions.
demo-chain: devchain-venv build
	$(SWIFT) run --skip-build cer-run demo

## gas-report: gas per member for a 24-slot session, direct vs batched (a benchmark, not a test).
gas-report: devchain-venv build
	$(SWIFT) run --skip-build market-gas-report $(or $(MEMBERS),20)

## bench: clearing throughput and peak memory on synthetic books (release build; one process per size).
BENCH_SIZES ?= 10000:24 10000:96 100000:24 100000:96 1000000:24 1000000:96
BENCH_MECHANISMS ?= uniform-price sdr
bench: $(APT_STAMP)
	$(SWIFT) build -c release --product clearing-bench
	@for size in $(BENCH_SIZES); do \
	  $(SWIFT) run -c release --skip-build clearing-bench $${size%%:*} $${size##*:} $(BENCH_MECHANISMS) || exit 1; \
	done

## contracts: recompile contracts/src into contracts/artifacts (needs solc on PATH).
contracts:
	@command -v solc >/dev/null || { echo "error: solc is not on PATH (see docs/contracts.md)"; exit 1; }
	$(PYTHON) contracts/compile.py

clean:
	rm -rf .build $(VENV)

## fuzz: libFuzzer targets for the five decoders (RLP and signed transactions, ABI, manifest,
## meter CSV, journal), FUZZ_SECONDS (default 60) each; not part of `make test`
## (docs/reliability.md, "Fuzzing").
.PHONY: fuzz
fuzz: $(APT_STAMP)
	Fuzz/run.sh

## bench-session: whole sessions of generated communities on fresh dev chains, per phase: wall,
## transactions, gas, runner CPU vs RPC wait, memory (bench/README.md; BENCH_ARGS, e.g.
## "--members 10,100 --direct-members 10"). Uses the built .build/debug/cer-run.
.PHONY: bench-session
bench-session: devchain-venv
	$(PYTHON) bench/run.py $(BENCH_ARGS)

## ---- test-api (owned by the API work: Tests/api/) ----
## test-api: `cer-run serve` on a fixture session, checked against docs/openapi.yaml by schemathesis.
## The DST fixture is run into .build/api-runs; its dev chain is restarted from the run's state so
## the server reads a node (members, funds); schemathesis (pinned, Tests/api/.venv) runs every check.
API_RUNS  := .build/api-runs
API_VENV  := Tests/api/.venv
API_STAMP := $(API_VENV)/.requirements.stamp
API_EXAMPLES ?= 50
$(API_STAMP): Tests/api/requirements.txt | $(APT_STAMP)
	@test -x $(API_VENV)/bin/python || $(PYTHON) -m venv $(API_VENV)
	$(API_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r Tests/api/requirements.txt
	@touch $@
test-api: $(VENV_STAMP) $(API_STAMP) build
	rm -rf $(API_RUNS)
	$(SWIFT) run --skip-build cer-run run fixtures/manifests/dst-settlement.yaml --runs $(API_RUNS) --quiet
	Tests/api/run.sh $(API_RUNS) --max-examples $(API_EXAMPLES)
## ---- end test-api ----

## ---- test-portal (owned by the portal work: Tests/portal/) ----
## test-portal: the member portal driven in headless Chromium (selenium + chromium-driver) against
## `cer-run serve` on a dev chain, with a test wallet standing in for MetaMask (docs/portal.md);
## screenshots in .build/portal-screenshots. Installs Debian's chromium, chromium-driver and
## fonts-dejavu-core when missing (as root) and the pinned venv Tests/portal/.venv; no browser download.
PORTAL_VENV := Tests/portal/.venv
PORTAL_VENV_STAMP := $(PORTAL_VENV)/.requirements.stamp
PORTAL_APT_STAMP := .build/.chromium-driver.stamp
$(PORTAL_APT_STAMP): | $(APT_STAMP)
	@missing=""; for p in chromium chromium-driver fonts-dejavu-core; do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" -ne 0 ]; then echo "error: run as root (or install:$$missing)"; exit 1; fi; \
	  echo "installing:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi
	@mkdir -p .build && touch $@
$(PORTAL_VENV_STAMP): Tests/portal/requirements.txt | $(APT_STAMP)
	@test -x $(PORTAL_VENV)/bin/python || $(PYTHON) -m venv $(PORTAL_VENV)
	$(PORTAL_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r Tests/portal/requirements.txt
	@touch $@
test-portal: $(VENV_STAMP) $(PORTAL_VENV_STAMP) $(PORTAL_APT_STAMP) build
	SE_OFFLINE=true PYTHONDONTWRITEBYTECODE=1 $(PORTAL_VENV)/bin/python -m pytest -q -p no:cacheprovider Tests/portal
## ---- end test-portal ----
