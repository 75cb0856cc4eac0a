# Haru: the two commands a newcomer needs are `make run` and `make test`.
.DEFAULT_GOAL := help
SHELL := /bin/bash

# uv, from PATH or installed through pip on first use (CI machines start without it).
UV := $(shell command -v uv 2>/dev/null || echo "python3 -m uv")
RUN := $(UV) run --frozen
CHROMIUM := /usr/bin/chromium
KOREAN_FONTS := /usr/share/fonts/truetype/nanum
BROWSER_PACKAGES := chromium fonts-nanum

.PHONY: help install run migrate test lint format unit browser-deps containers bench clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

install: ## install uv (if absent) and every workspace member with the dev tools
	@$(UV) --version >/dev/null 2>&1 || python3 -m pip install --quiet --disable-pip-version-check uv
	@$(UV) sync --frozen --all-packages --quiet

run: install ## start the emulators and the three services on SQLite; Ctrl-C stops them
	@$(RUN) python tools/haru_stack.py run

migrate: install ## upgrade the three SQLite databases under ./var to head
	@$(RUN) python tools/haru_stack.py migrate

lint: install ## ruff (lint, formatting) and mypy (types; strict on shared)
	$(RUN) ruff check .
	$(RUN) ruff format --check .
	$(RUN) mypy

format: install ## ruff: fix imports and format
	$(RUN) ruff check --fix .
	$(RUN) ruff format .

# Browser tests use Debian's Chromium, never a downloaded one. In CI it is installed here;
# elsewhere, without it (and without root), the browser tests skip and say why.
browser-deps:
	@if { [ ! -x $(CHROMIUM) ] || [ ! -d $(KOREAN_FONTS) ]; } && [ "$$(id -u)" = 0 ] \
		&& command -v apt-get >/dev/null; then \
		echo "installing Debian's chromium and Korean fonts (screenshots) for the browser tests"; \
		(apt-get install -y -qq --no-install-recommends $(BROWSER_PACKAGES) >/dev/null 2>&1 || \
		 (apt-get update -qq >/dev/null && \
		  apt-get install -y -qq --no-install-recommends $(BROWSER_PACKAGES) >/dev/null)); \
	fi

test: install lint browser-deps ## lint, then every test: units, PostgreSQL, migrations, browser, end to end, containers
	$(RUN) pytest
	@$(MAKE) --no-print-directory containers

# The compose stack built and run with podman: images built offline, `up --wait` with the
# emulators, the seed scenario over HTTP, a Deployment under `podman kube play`, then down.
# Installs podman & co. as root; with CI=true it fails, elsewhere it skips, when it cannot.
containers: install ## build the images with podman and run the compose stack's tests
	HARU_PYTEST="$(RUN) pytest" bash deploy/containers/run.sh

unit: install ## the tests without processes or browsers (quick)
	$(RUN) pytest -m "not e2e and not browser"

# BENCH_FLAGS go to bench/system.py, e.g. `make bench BENCH_FLAGS=--quick` for a smoke run.
BENCH_FLAGS ?=
# The benchmark-only tools (locust, matplotlib, gevent, psutil) are the `bench` group: installed
# here, never by `make install` or `make test`.
BENCH_RUN := $(UV) run --frozen --all-packages --group bench
bench: install ## benchmarks: NLU, skill-calendar overhead, reminders, whole system; figures in docs/benchmarks.md
	$(BENCH_RUN) python bench/nlu.py
	$(BENCH_RUN) python bench/calendar_overhead.py
	$(BENCH_RUN) python bench/reminders.py
	$(BENCH_RUN) python bench/system.py $(BENCH_FLAGS)
	$(BENCH_RUN) python bench/report.py

clean: ## remove ./var (SQLite databases, logs, development secrets) and caches
	rm -rf var .pytest_cache .ruff_cache .mypy_cache .hypothesis
