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
# wasi-libc and the wasm32 compiler runtime let clang target WebAssembly, wabt assembles WAT,
# rustc with libstd-rust-dev-wasm32 builds the Rust plugins for wasm32-unknown-unknown.
APT_PACKAGES := clang lld wasi-libc libclang-rt-14-dev-wasm32 wabt rustc libstd-rust-dev-wasm32

DOTNET_SOURCES := $(shell find src -name '*.cs' -o -name '*.csproj' -o -name '*.props' | grep -v '/obj/' | grep -v '/bin/')

.PHONY: all tools node-tools service-tools perf-tools build plugins bundles test-plugins run test bench clean install install-files uninstall deb install-root pack

# Install layout. PREFIX and DESTDIR follow the GNU conventions. systemd, systemd-sysusers and
# systemd-tmpfiles search /etc, /run, /usr/local/lib and /usr/lib but no other prefix, so the
# units, sysusers.d and tmpfiles.d entries go under $(PREFIX)/lib for PREFIX=/usr or /usr/local
# and under /etc for any other PREFIX such as /opt/mcpzero.
PREFIX ?= /usr/local
DESTDIR ?=
BINDIR ?= $(PREFIX)/bin
SYSCONFDIR ?= /etc
ifneq ($(filter /usr /usr/local,$(patsubst %/,%,$(PREFIX))),)
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
TMPFILESDIR ?= $(PREFIX)/lib/tmpfiles.d
else
SYSTEMDUNITDIR ?= /etc/systemd/system
SYSUSERSDIR ?= /etc/sysusers.d
TMPFILESDIR ?= /etc/tmpfiles.d
endif
BASHCOMPLETIONDIR ?= $(PREFIX)/share/bash-completion/completions
DOCDIR ?= $(PREFIX)/share/doc/mcpzero

VERSION := $(shell sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' src/Directory.Build.props)
DEB := $(OUT)/mcpzero_$(VERSION)_amd64.deb
DEB_ROOT := $(OUT)/deb/root
INSTALL_ROOT := $(OUT)/install-root
OPT_INSTALL_ROOT := $(OUT)/install-root-opt

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

## plugins: the sample plugins in out/plugins, one of them built with Extism's AssemblyScript
## PDK from npm.
plugins: tools node-tools
	$(MAKE) -C src/plugins OUT=$(OUT)

## test-plugins: the test plugins in out/test-plugins, one of them built with Extism's
## AssemblyScript PDK from npm.
test-plugins: tools node-tools
	$(MAKE) -C tests/plugins OUT=$(OUT)

node-tools:
	@if ! command -v npm >/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing Node.js and npm (Debian packages nodejs npm) for the AssemblyScript plugins"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm; \
	  else \
	    echo "npm is missing: the AssemblyScript plugins need Node.js and npm. Install them with:"; \
	    echo "  sudo apt-get install -y nodejs npm"; \
	    exit 1; \
	  fi; \
	fi


## run: build, then run the daemon in the foreground on ./var with the samples installed.
run: build plugins bundles
	bash src/scripts/run-dev.sh "$(BIN)" "$(OUT)/bundles" "$(CURDIR)/var" "$(OUT)/trusted-keys"

## bundles: the sample plugins signed into bundle folders in out/bundles with a development key
## made once in out/dev-key; its public key is copied to out/trusted-keys, which `make run` trusts.
bundles: build plugins
	bash src/scripts/dev-bundles.sh "$(BIN)" "$(OUT)"

## test: unit tests and integration tests through the AOT binary; the service tests read the
## DESTDIR install in out/install-root and the package in out/, the package tests the NuGet
## packages in out/packages.
test: build plugins test-plugins service-tools install-root deb pack
	MCPZERO_BIN=$(BIN) MCPZERO_PLUGINS=$(OUT)/plugins MCPZERO_TEST_PLUGINS=$(OUT)/test-plugins \
	  MCPZERO_INSTALL_ROOT=$(INSTALL_ROOT) MCPZERO_DEB=$(DEB) MCPZERO_PACKAGES=$(PACKAGES) \
	  $(DOTNET) test McpZero.sln -c $(CONFIGURATION) --nologo

## pack: the NuGet packages McpZero.Protocol and McpZero.Client in out/packages. The project has
## not chosen a license, so the packages carry none unless PACKAGE_LICENSE is an SPDX expression.
PACKAGES := $(OUT)/packages
PACKAGE_LICENSE ?=
pack:
	rm -rf $(PACKAGES)
	for project in McpZero.Protocol McpZero.Client; do \
	  $(DOTNET) pack src/$$project/$$project.csproj -c $(CONFIGURATION) -o $(PACKAGES) --nologo -v q \
	    $(if $(PACKAGE_LICENSE),-p:PackageLicense=$(PACKAGE_LICENSE)); \
	done
	@ls -l $(PACKAGES)

## service-tools: systemd's tools (systemd-analyze, systemd-socket-activate, systemd-sysusers)
## for the service tests; installed when root, else the tests that need them are skipped or fail
## with the missing tool's name.
service-tools:
	@if ! command -v systemd-analyze >/dev/null || ! command -v systemd-socket-activate >/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing systemd's tools for the service tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq systemd; \
	  else \
	    echo "systemd's tools are missing for the service tests. Install them with:"; \
	    echo "  sudo apt-get install -y systemd"; \
	  fi; \
	fi

## bench: the benchmark suite perf/run, which builds its load generator into out/perf-load and
## writes perf/results/DATE.md with its JSON and plots. Options go in BENCH_ARGS, for example
## BENCH_ARGS=--quick or BENCH_ARGS="--soak-minutes 10".
BENCH_ARGS ?=
bench: build plugins perf-tools
	bash perf/run $(BENCH_ARGS)

## perf-tools: gnuplot (Debian package gnuplot-nox) for the plots of perf/run; installed when
## root, else the apt-get line is printed and perf/run writes its page without plots.
perf-tools:
	@if ! command -v gnuplot >/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing gnuplot-nox for the benchmark plots"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gnuplot-nox; \
	  else \
	    echo "gnuplot is missing, so perf/run makes no plots. Install it with:"; \
	    echo "  sudo apt-get install -y gnuplot-nox"; \
	  fi; \
	fi

## install: the binary, systemd units, sysusers.d and tmpfiles.d entries, the default
## configuration (only when none exists) and bash completion, under $(DESTDIR)$(PREFIX).
install: build
	$(MAKE) --no-print-directory install-files
	@if [ -z "$(DESTDIR)" ] && [ -d /run/systemd/system ]; then \
	  systemd-sysusers $(SYSUSERSDIR)/mcpzero.conf; \
	  systemd-tmpfiles --create $(TMPFILESDIR)/mcpzero.conf; \
	  systemctl daemon-reload; \
	  echo "Start the service with: systemctl enable --now mcpzero.socket"; \
	fi

## install-files: the copy step of install, without building; the unit's ExecStart and
## Documentation paths are rewritten for BINDIR and DOCDIR.
install-files:
	@test -x $(BIN) || { echo "$(BIN) is missing: run make build first"; exit 1; }
	install -D -m 0755 $(BIN) $(DESTDIR)$(BINDIR)/mcpzero
	install -d -m 0755 $(DESTDIR)$(SYSTEMDUNITDIR)
	sed -e 's|^ExecStart=/usr/local/bin/|ExecStart=$(BINDIR)/|' \
	    -e 's|file:///usr/local/share/doc/mcpzero/|file://$(DOCDIR)/|' \
	    systemd/mcpzero.service > $(DESTDIR)$(SYSTEMDUNITDIR)/mcpzero.service
	sed -e 's|file:///usr/local/share/doc/mcpzero/|file://$(DOCDIR)/|' \
	    systemd/mcpzero.socket > $(DESTDIR)$(SYSTEMDUNITDIR)/mcpzero.socket
	chmod 0644 $(DESTDIR)$(SYSTEMDUNITDIR)/mcpzero.service $(DESTDIR)$(SYSTEMDUNITDIR)/mcpzero.socket
	install -D -m 0644 systemd/mcpzero.sysusers $(DESTDIR)$(SYSUSERSDIR)/mcpzero.conf
	install -D -m 0644 systemd/mcpzero.tmpfiles $(DESTDIR)$(TMPFILESDIR)/mcpzero.conf
	install -D -m 0644 src/completion/mcpzero.bash $(DESTDIR)$(BASHCOMPLETIONDIR)/mcpzero
	install -D -m 0644 README.md $(DESTDIR)$(DOCDIR)/README.md
	@if [ -e $(DESTDIR)$(SYSCONFDIR)/mcpzero/mcpzero.json ]; then \
	  echo "Kept the existing $(DESTDIR)$(SYSCONFDIR)/mcpzero/mcpzero.json"; \
	else \
	  echo "install -D -m 0644 systemd/mcpzero.json $(DESTDIR)$(SYSCONFDIR)/mcpzero/mcpzero.json"; \
	  install -D -m 0644 systemd/mcpzero.json $(DESTDIR)$(SYSCONFDIR)/mcpzero/mcpzero.json; \
	fi

## uninstall: stop the units and remove what install wrote. The configuration stays when it
## differs from the shipped default; /var/lib/mcpzero and the mcpzero user are never removed.
uninstall:
	@if [ -z "$(DESTDIR)" ] && [ -d /run/systemd/system ]; then \
	  systemctl disable --now mcpzero.socket mcpzero.service || true; \
	fi
	rm -f $(DESTDIR)$(BINDIR)/mcpzero
	rm -f $(DESTDIR)$(SYSTEMDUNITDIR)/mcpzero.service $(DESTDIR)$(SYSTEMDUNITDIR)/mcpzero.socket
	rm -f $(DESTDIR)$(SYSUSERSDIR)/mcpzero.conf $(DESTDIR)$(TMPFILESDIR)/mcpzero.conf
	rm -f $(DESTDIR)$(BASHCOMPLETIONDIR)/mcpzero
	rm -f $(DESTDIR)$(DOCDIR)/README.md
	-rmdir $(DESTDIR)$(DOCDIR) 2>/dev/null
	@config=$(DESTDIR)$(SYSCONFDIR)/mcpzero/mcpzero.json; \
	if [ -e "$$config" ] && ! cmp -s "$$config" systemd/mcpzero.json; then \
	  echo "Kept $$config because it differs from the default"; \
	else \
	  rm -f "$$config"; \
	  rmdir $(DESTDIR)$(SYSCONFDIR)/mcpzero 2>/dev/null || true; \
	fi
	@if [ -z "$(DESTDIR)" ] && [ -d /run/systemd/system ]; then systemctl daemon-reload; fi

## install-root: DESTDIR installs for the tests, with the default PREFIX into out/install-root
## and with PREFIX=/opt/mcpzero into out/install-root-opt.
install-root: build
	rm -rf $(INSTALL_ROOT) $(OPT_INSTALL_ROOT)
	$(MAKE) --no-print-directory install-files DESTDIR=$(INSTALL_ROOT) PREFIX=/usr/local
	$(MAKE) --no-print-directory install-files DESTDIR=$(OPT_INSTALL_ROOT) PREFIX=/opt/mcpzero

## deb: out/mcpzero_VERSION_amd64.deb, staged with PREFIX=/usr and the unit directory of
## Debian 12 (/lib/systemd/system). The changelog date is SOURCE_DATE_EPOCH when set, else the
## date of the last commit to src/Directory.Build.props, so that rebuilds give the same package.
deb: build
	rm -rf $(OUT)/deb
	$(MAKE) --no-print-directory install-files DESTDIR=$(DEB_ROOT) PREFIX=/usr BINDIR=/usr/bin \
	    SYSCONFDIR=/etc SYSTEMDUNITDIR=/lib/systemd/system SYSUSERSDIR=/usr/lib/sysusers.d \
	    TMPFILESDIR=/usr/lib/tmpfiles.d BASHCOMPLETIONDIR=/usr/share/bash-completion/completions \
	    DOCDIR=/usr/share/doc/mcpzero
	install -m 0644 systemd/debian/copyright $(DEB_ROOT)/usr/share/doc/mcpzero/copyright
	epoch="$${SOURCE_DATE_EPOCH:-$$(git log -1 --format=%ct -- src/Directory.Build.props 2>/dev/null || true)}"; \
	sed -e 's|@VERSION@|$(VERSION)|' \
	    -e "s|@MAINTAINER@|$$(sed -n 's/^Maintainer: //p' systemd/debian/control)|" \
	    -e "s|@DATE@|$$(LC_ALL=C date -u -R -d "@$${epoch:-$$(date +%s)}")|" \
	    systemd/debian/changelog | gzip -9n > $(DEB_ROOT)/usr/share/doc/mcpzero/changelog.Debian.gz
	chmod 0644 $(DEB_ROOT)/usr/share/doc/mcpzero/changelog.Debian.gz
	install -d -m 0755 $(DEB_ROOT)/DEBIAN
	sed -e 's|@VERSION@|$(VERSION)|' \
	    -e "s|@INSTALLED_SIZE@|$$(du -sk $(DEB_ROOT) | cut -f1)|" \
	    systemd/debian/control > $(DEB_ROOT)/DEBIAN/control
	echo /etc/mcpzero/mcpzero.json > $(DEB_ROOT)/DEBIAN/conffiles
	install -m 0755 systemd/debian/postinst systemd/debian/prerm systemd/debian/postrm $(DEB_ROOT)/DEBIAN/
	dpkg-deb --root-owner-group -Zxz --build $(DEB_ROOT) $(DEB)
	@dpkg-deb --info $(DEB) | sed -n '/Package:/,$$p'

clean:
	rm -rf $(OUT)
	find src tests perf -type d \( -name bin -o -name obj \) -prune -exec rm -rf {} +
