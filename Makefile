# The front door. `make up` and `make test` are the README's two set-up commands.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PY ?= python3
ENV ?= local
# Every target but bootstrap runs with what tools/bootstrap.py wrote: PATH, TF_CLI_CONFIG_FILE, ...
WITH_TOOLCHAIN := source .smenv/env.sh &&

.PHONY: help bootstrap up down plan access test validate pytest lint fmt graph emulator-start emulator-stop emulator-status clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 20

bootstrap: ## install the pinned toolchain (a warm run only checks)
	@$(PY) tools/bootstrap.py

up: bootstrap ## stand the environment up on the local emulator (ENV=local; another ENV rehearses it)
	@$(WITH_TOOLCHAIN) python tools/live.py up $(ENV)

down: bootstrap ## destroy the environment on the emulator and stop the emulator
	@$(WITH_TOOLCHAIN) python tools/live.py down $(ENV)

plan: bootstrap ## run-all plan on the emulator (exit 2 when changes are pending)
	@$(WITH_TOOLCHAIN) python tools/live.py plan $(ENV)

access: bootstrap ## the access matrix of ENV: plan it on the emulator, evaluate access/flows.yaml (0 wrong or exit 1)
	@$(WITH_TOOLCHAIN) python tools/access_matrix.py --env $(ENV) $(ACCESS_ARGS)

test: bootstrap ## every check and every test: tools/validate.py --all (unit, moto, plan, emulator end to end, scan)
	@$(WITH_TOOLCHAIN) python tools/validate.py --all

validate: bootstrap ## what CI runs: format, validate, tflint, terraform-docs, checkov, policy lint, plan tests
	@$(WITH_TOOLCHAIN) python tools/validate.py $(VALIDATE_ARGS)

pytest: bootstrap ## pytest alone, e.g. make pytest PYTEST_ARGS="tests/plan -k guardrails"
	@$(WITH_TOOLCHAIN) python -m pytest $(PYTEST_ARGS)

lint: bootstrap ## ruff and terraform fmt, checking only
	@$(WITH_TOOLCHAIN) ruff check . && ruff format --check . && terraform fmt -check -recursive modules

fmt: bootstrap ## fix formatting
	@$(WITH_TOOLCHAIN) ruff format . && ruff check --fix . && terraform fmt -recursive modules

graph: bootstrap ## draw docs/units-$(ENV).svg and docs/architecture-$(ENV).svg from the code
	@$(WITH_TOOLCHAIN) python tools/graph.py --env $(ENV)

emulator-start: bootstrap ## start the local AWS emulator
	@$(WITH_TOOLCHAIN) python tools/local_aws.py start

emulator-stop: bootstrap ## stop the local AWS emulator
	@$(WITH_TOOLCHAIN) python tools/local_aws.py stop

emulator-status: bootstrap ## is the local AWS emulator running?
	@$(WITH_TOOLCHAIN) python tools/local_aws.py status

clean: ## remove Terragrunt and Terraform working directories
	@find live modules tests -name .terragrunt-cache -type d -prune -exec rm -rf {} + ; \
	 find live modules tests -name .terraform -type d -prune -exec rm -rf {} + ; true
