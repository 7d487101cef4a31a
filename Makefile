# The front door. `make up` and `make test` are the README's two set-up commands.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PY ?= python3
ENV ?= local
# Every target first ensures the tools it uses (the main job's only, unless it names more with
# --with), then runs with what tools/bootstrap.py wrote: PATH, TF_CLI_CONFIG_FILE, ...
BOOTSTRAP = $(PY) tools/bootstrap.py
WITH_TOOLCHAIN = $(BOOTSTRAP) $(if $(TOOLS),--with $(TOOLS)) && source .smenv/env.sh &&

.PHONY: help bootstrap up down plan access test check validate pytest lint fmt graph emulator-start emulator-stop emulator-status clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 20

bootstrap: ## install the pinned toolchain, every test tool too (a warm run only checks)
	@$(BOOTSTRAP) --with all

up: ## stand the environment up on the local emulator (ENV=local; another ENV rehearses it)
	@$(WITH_TOOLCHAIN) python tools/live.py up $(ENV)

down: ## destroy the environment on the emulator and stop the emulator
	@$(WITH_TOOLCHAIN) python tools/live.py down $(ENV)

plan: ## run --all plan on the emulator (exit 2 when changes are pending)
	@$(WITH_TOOLCHAIN) python tools/live.py plan $(ENV)

access: TOOLS = node
access: ## the access matrix of ENV: plan it on the emulator, evaluate access/flows.yaml (0 wrong or exit 1)
	@$(WITH_TOOLCHAIN) python tools/access_matrix.py --env $(ENV) $(ACCESS_ARGS)

test: TOOLS = all
test: ## every check and every test: tools/validate.py --all (unit, moto, plan, emulator end to end, scan)
	@$(WITH_TOOLCHAIN) python tools/validate.py --all

check: TOOLS = tflint,terraform-docs
check: ## the fast loop for every edit (~2 min): formatting, lint, types, terraform validate, module docs, unit tests
	@$(WITH_TOOLCHAIN) python tools/validate.py --only "format,python types,terraform validate,tflint,terraform-docs,unit tests"

validate: TOOLS = all
validate: ## what CI runs: format, validate, tflint, terraform-docs, checkov, policy lint, plan tests
	@$(WITH_TOOLCHAIN) python tools/validate.py $(VALIDATE_ARGS)

pytest: TOOLS = all
pytest: ## pytest alone, e.g. make pytest PYTEST_ARGS="tests/plan -k guardrails"
	@$(WITH_TOOLCHAIN) python -m pytest $(PYTEST_ARGS)

lint: ## ruff and terraform fmt, checking only
	@$(WITH_TOOLCHAIN) ruff check . && ruff format --check . && "$$SMENV_TERRAFORM" fmt -check -recursive modules

fmt: ## fix formatting
	@$(WITH_TOOLCHAIN) ruff format . && ruff check --fix . && "$$SMENV_TERRAFORM" fmt -recursive modules

graph: ## draw docs/units-$(ENV).svg and docs/architecture-$(ENV).svg from the code
	@$(WITH_TOOLCHAIN) python tools/graph.py --env $(ENV)

emulator-start: ## start the local AWS emulator
	@$(WITH_TOOLCHAIN) python tools/local_aws.py start

emulator-stop: ## stop the local AWS emulator
	@$(WITH_TOOLCHAIN) python tools/local_aws.py stop

emulator-status: ## is the local AWS emulator running?
	@$(WITH_TOOLCHAIN) python tools/local_aws.py status

clean: ## remove Terragrunt and Terraform working directories (state stays in the emulator's bucket)
	@find live modules tests -name .terragrunt-cache -type d -prune -exec rm -rf {} + ; \
	 find live modules tests -name .terraform -type d -prune -exec rm -rf {} + ; \
	 rm -rf .smenv/terragrunt ; true
