# MCP-ZERO build. `make run` starts the appliance in the foreground on ./var; `make test` builds
# everything and runs every test against the Native AOT binary.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := all

DOTNET ?= dotnet
OUT := $(CURDIR)/out
BIN := $(OUT)/bin/mcpzero
CONFIGURATION ?= Release

# Debian packages the build needs: clang and lld link the Native AOT binary and the C plugins,
# wasi-libc and the wasm32 compiler runtime let clang target WebAssembly, wabt assembles WAT.
APT_PACKAGES := clang lld wasi-libc libclang-rt-14-dev-wasm32 wabt

DOTNET_SOURCES := $(shell find src -name '*.cs' -o -name '*.csproj' -o -name '*.props' | grep -v '/obj/' | grep -v '/bin/')

.PHONY: all tools node-tools build plugins test-plugins run test bench clean

all: build plugins

## tools: install missing build tools when root, else print the apt-get line and stop.
tools:
	@missing=""; \
	for package in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' "$$package" 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$package"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing build tools:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	  else \
	    echo "Missing build tools. Install them with:"; \
	    echo "  sudo apt-get install -y$$missing"; \
	    exit 1; \
	  fi; \
	fi
	@command -v $(DOTNET) >/dev/null || { echo "The .NET 10 SDK is missing: install it and put dotnet on PATH"; exit 1; }

## build: the single Native AOT executable out/bin/mcpzero.
build: tools $(BIN)

$(BIN): $(DOTNET_SOURCES)
	$(DOTNET) publish src/McpZero.Cli/McpZero.Cli.csproj -c $(CONFIGURATION) -o $(OUT)/bin --nologo -v q
	@rm -f $(OUT)/bin/*.dbg $(OUT)/bin/*.so
	@ls -l $(BIN)

## plugins: the sample plugins in out/plugins.
plugins: tools
	$(MAKE) -C src/plugins OUT=$(OUT)

## test-plugins: the test plugins in out/test-plugins, one of them built with Extism's
## AssemblyScript PDK from npm.
test-plugins: tools node-tools
	$(MAKE) -C tests/plugins OUT=$(OUT)

node-tools:
	@if ! command -v npm >/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing Node.js and npm (Debian packages nodejs npm) for the AssemblyScript test plugin"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm; \
	  else \
	    echo "npm is missing: the AssemblyScript test plugin needs Node.js and npm. Install them with:"; \
	    echo "  sudo apt-get install -y nodejs npm"; \
	    exit 1; \
	  fi; \
	fi


## run: build, then run the daemon in the foreground on ./var with the samples installed.
run: build plugins
	bash src/scripts/run-dev.sh "$(BIN)" "$(OUT)/plugins" "$(CURDIR)/var"

## test: unit tests and integration tests through the AOT binary.
test: build plugins test-plugins
	MCPZERO_BIN=$(BIN) MCPZERO_PLUGINS=$(OUT)/plugins MCPZERO_TEST_PLUGINS=$(OUT)/test-plugins \
	  $(DOTNET) test McpZero.sln -c $(CONFIGURATION) --nologo

## bench: the classic agent benchmark against a fresh daemon.
bench: build plugins
	bash perf/agent-bench.sh "$(BIN)" "$(OUT)/plugins"

clean:
	rm -rf $(OUT)
	find src tests -type d \( -name bin -o -name obj \) -prune -exec rm -rf {} +
