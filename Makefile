# Capsule: the two sacred commands are `make run` and `make test`.
# Both set up a fresh Debian 12 machine (apt packages, guest image, build) before they do their job.

SHELL := /bin/bash
export DOTNET_CLI_TELEMETRY_OPTOUT := 1
export DOTNET_NOLOGO := 1
export DOTNET_SKIP_FIRST_TIME_EXPERIENCE := 1

CONFIGURATION ?= Release
SERVER_DLL := src/Capsule.Server/bin/$(CONFIGURATION)/net10.0/Capsule.Server.dll

.PHONY: run test bench soak deps image snapshots build format clean-run

## run: install what is missing, build the guest image and the server, serve on http://127.0.0.1:8080
run: deps image build snapshots
	exec dotnet $(SERVER_DLL)

## test: the same setup, then every test tier; ends with "N passed, N failed, N skipped"
test: deps image build snapshots
	scripts/run-tests.sh $(CONFIGURATION)

## bench: the benchmark harness (writes artifacts/bench/latest.json and latest.md)
bench: deps image build snapshots
	scripts/bench.sh $(CONFIGURATION)

## soak: N sessions of checked mixed work for M minutes (artifacts/soak/latest.json and latest.md); fails on any
## error or leftover. Defaults 50 sessions, 10 minutes: make soak SESSIONS=8 MINUTES=1, or SOAK_ARGS="--think-ms 1000"
SESSIONS ?= 50
MINUTES ?= 10
SOAK_ARGS ?=
soak: deps image build snapshots
	scripts/soak.sh $(CONFIGURATION) --sessions $(SESSIONS) --minutes $(MINUTES) $(SOAK_ARGS)

deps:
	scripts/install-host-deps.sh

image:
	guest/build-image.sh

## snapshots: the per-vCPU snapshots (snap1..snap8) sessions are restored from; skipped when up to date (docs/snapshots.md)
SNAPSHOTS_DLL := src/Capsule.Snapshots/bin/$(CONFIGURATION)/net10.0/Capsule.Snapshots.dll
snapshots: deps image build
	dotnet build src/Capsule.Snapshots -c $(CONFIGURATION) -nologo -clp:NoSummary -v minimal
	dotnet $(SNAPSHOTS_DLL) build

## build: the dashboard's assets (ui/, esbuild) and every .NET project
build:
	scripts/build-ui.sh
	dotnet build Capsule.slnx -c $(CONFIGURATION) -nologo -clp:NoSummary -v minimal

format:
	dotnet format Capsule.slnx --verify-no-changes
