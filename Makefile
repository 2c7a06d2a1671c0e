# helpline-blueprint. Quick start on a fresh clone: `make synth` then `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
export PATH := $(abspath $(BIN)):$(PATH)
COUNTRY ?=
STAGE ?=
CONTEXT := $(if $(COUNTRY),-c country=$(COUNTRY)) $(if $(STAGE),-c stage=$(STAGE))
CONTEXT_JSON := {$(if $(COUNTRY),"country":"$(COUNTRY)")$(if $(and $(COUNTRY),$(STAGE)),$(comma))$(if $(STAGE),"stage":"$(STAGE)")}
comma := ,

.PHONY: help setup build synth test lint bench deploy cdk diagrams clean mutation surge

help:
	@echo "make synth   set up, build Lambda assets, render every country to cdk.out/ (COUNTRY=pl STAGE=dev)"
	@echo "make test    unit, flow, integration and infrastructure tests (cfn-lint, cdk-nag)"
	@echo "make lint    ruff, flow linter on every country, cfn-lint on cdk.out/"
	@echo "make bench   synth time, handler cold imports, simulator throughput"
	@echo "make surge   replay a surge of simulated calls (COUNTRY=pl CALLS=2000 FAULTS=0.05)"
	@echo "make deploy COUNTRY=pl   preflight, country stack, test stack, smoke-test, verify-live (AWS credentials)"
	@echo "make cdk ARGS=ls         the pinned AWS CDK CLI with the project's own Node.js"

$(VENV)/.installed: pyproject.toml requirements.lock
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install --quiet --disable-pip-version-check uv==0.13.8
	@$(BIN)/uv pip sync --system-certs --quiet --python $(PY) requirements.lock
	@$(BIN)/uv pip install --system-certs --quiet --python $(PY) --no-deps -e .
	@touch $@

setup: $(VENV)/.installed

build: setup
	@$(PY) -m helpline.build
	@$(PY) -m helpline.cdk_cli --install

synth: build
	@rm -rf cdk.out
	@CDK_CONTEXT_JSON='$(CONTEXT_JSON)' $(PY) app.py
	@$(PY) -m helpline.summary cdk.out

test: build
	@$(PY) -m pytest -n 2 --dist loadgroup

lint: build
	@$(BIN)/ruff check .
	@$(BIN)/helpline lint
	@test -d cdk.out || $(MAKE) synth
	@$(BIN)/cfn-lint --ignore-checks W3005 -- cdk.out/*.template.json  # W3005: CDK's own redundant DependsOn (see README)

bench: build
	@$(PY) -m benchmarks

# Mutation testing of functions/ with the fast tests ([tool.mutmut] in pyproject.toml). Slow (tens of
# minutes on 2 cores), not part of `make test`. Prints killed/total per module; details:
# `.venv/bin/mutmut results`, `.venv/bin/mutmut show <mutant>`; state is kept in mutants/.
MUTATION_CHILDREN ?= 2
mutation: setup
	@$(BIN)/mutmut run --max-children $(MUTATION_CHILDREN) || true
	@$(BIN)/mutmut results --all true | awk -F': ' '{ m = $$1; sub(/^ +/, "", m); sub(/\.x[^.]*$$/, "", m); \
		total[m]++; if ($$2 == "killed" || $$2 == "timeout") killed[m]++ } \
		END { for (m in total) printf "%-34s %4d/%-4d killed\n", m, killed[m], total[m] }' | sort

# A surge of simulated calls through the flows and the real handlers, in worker processes; ends with
# "calls=N lost=L rate=R/s p99_ms=P" and exits 1 if any caller was left without a way forward.
CALLS ?= 2000
FAULTS ?= 0
surge: build
	@$(BIN)/helpline surge $(or $(COUNTRY),pl) --calls $(CALLS) --faults $(FAULTS)

diagrams: build
	@$(BIN)/helpline diagram $(or $(COUNTRY),pl)

# Every stage of a deploy in order (helpline/deploy.py): preflight, the recordings gate (a prod stage
# refuses synthetic placeholders unless ALLOW_PLACEHOLDERS=1), the country stack, its test stack,
# smoke-test, verify-live. FROM=tests resumes at a stage; APPROVAL=never|broadening|any-change.
deploy: build
	@test -n "$(COUNTRY)" || (echo "usage: make deploy COUNTRY=pl [STAGE=dev] [FROM=tests] [ALLOW_PLACEHOLDERS=1]" && exit 2)
	@$(BIN)/helpline deploy $(COUNTRY) $(if $(STAGE),--stage $(STAGE)) $(if $(PROFILE),--profile $(PROFILE)) \
		$(if $(FROM),--from $(FROM)) $(if $(APPROVAL),--approval $(APPROVAL)) $(if $(ALLOW_PLACEHOLDERS),--allow-placeholders)

# The pinned AWS CDK CLI (helpline/cdk_cli.py) run with the project's own Node.js: make cdk ARGS="ls".
cdk: build
	@$(PY) -m helpline.cdk_cli $(ARGS)

clean:
	rm -rf cdk.out build .pytest_cache
