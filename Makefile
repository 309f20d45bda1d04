# A thin wrapper over the go command. `make demo` scans the built-in example; `make test`
# runs every test (CI runs exactly that).

GO      ?= go
BIN     := bin/threatls
EXAMPLE := testdata/examples/shop
VSCODE  := editors/vscode

# The version and commit the binary prints (threatls version), stamped at link time: go build
# cannot stamp them itself in a git worktree or with -buildvcs=false.
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo devel)
COMMIT  ?= $(shell git rev-parse HEAD 2>/dev/null)
LDFLAGS := -s -w -X main.version=$(VERSION) -X main.commit=$(COMMIT)

.PHONY: build test test-deps test-vscode vscode demo bench bench-long bench-cli lint rules clean release release-deps

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/threatls

# Release binaries for Linux, amd64 and arm64 (tree-sitter needs cgo: arm64 is built with
# Debian's cross compiler, gcc-aarch64-linux-gnu), each with its SHA-256. Darwin and Windows
# are built on runners of those systems by .github/workflows/release.yml.
release: release-deps
	@mkdir -p dist
	CGO_ENABLED=1 GOOS=linux GOARCH=amd64 CC=gcc \
		$(GO) build -trimpath -ldflags "$(LDFLAGS)" -o dist/threatls-linux-amd64 ./cmd/threatls
	CGO_ENABLED=1 GOOS=linux GOARCH=arm64 CC=aarch64-linux-gnu-gcc \
		$(GO) build -trimpath -ldflags "$(LDFLAGS)" -o dist/threatls-linux-arm64 ./cmd/threatls
	cd dist && sha256sum threatls-linux-amd64 threatls-linux-arm64 > SHA256SUMS-linux

release-deps:
	@command -v aarch64-linux-gnu-gcc >/dev/null || { echo "installing gcc-aarch64-linux-gnu (apt-get)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gcc-aarch64-linux-gnu >/dev/null; }

demo: build
	./$(BIN) scan $(EXAMPLE) || true
	@echo
	@echo "The system those files describe, and how an attacker gets from the internet to its data:"
	@echo
	./$(BIN) model --paths $(EXAMPLE)
	@echo
	@echo "More: ./$(BIN) model --format mermaid $(EXAMPLE)   (also dot, json, otm, threagile)"
	@echo "      ./$(BIN) scan --format sarif $(EXAMPLE)      (for GitHub code scanning)"

# The load reads a batch of files while it makes the model of the last on another goroutine:
# those tests run again under the race detector.
test: test-deps
	$(GO) vet ./...
	$(GO) test -count=1 ./...
	$(GO) test -race -count=1 -run 'Load|Batch' ./engine/

# What the end-to-end tests need beyond Go, installed only when missing: Neovim (Debian's
# package, 0.7+), Emacs with eglot (Debian's), Debian's Chromium (the HTML report is opened in
# it), the npm packages of the scripted VS Code-like client, of the report's browser check and
# of the VS Code extension (its unit tests run under go test).
test-deps: lsp/e2e/node_modules report/browser/node_modules $(VSCODE)/node_modules
	@command -v nvim >/dev/null || { echo "installing neovim (apt-get)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq neovim >/dev/null; }
	@test -x /usr/bin/chromium || { echo "installing chromium (apt-get)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }
	@emacs --batch --eval "(require 'eglot)" >/dev/null 2>&1 || \
		{ echo "installing emacs-nox and elpa-eglot (apt-get)"; apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq emacs-nox elpa-eglot >/dev/null; }

report/browser/node_modules: report/browser/package-lock.json
	npm ci --prefix report/browser --no-audit --no-fund
	@touch $@

lsp/e2e/node_modules: lsp/e2e/package-lock.json
	npm ci --prefix lsp/e2e --no-audit --no-fund
	@touch $@

# vsce's name for this machine's platform: a .vsix that carries the binary runs only there.
VSCE_TARGET ?= $(subst windows,win32,$(shell $(GO) env GOOS))-$(subst amd64,x64,$(shell $(GO) env GOARCH))

$(VSCODE)/node_modules: $(VSCODE)/package-lock.json
	npm ci --prefix $(VSCODE) --no-audit --no-fund
	@touch $@

# The VS Code extension: bin/threatls.vsix (finds threatls on the PATH or at
# threatls.server.path) and bin/threatls-$(VSCE_TARGET).vsix, which carries the binary.
vscode: build $(VSCODE)/node_modules
	cd $(VSCODE) && npx tsc -p .
	rm -rf $(VSCODE)/server
	cd $(VSCODE) && npx @vscode/vsce package --skip-license -o ../../bin/threatls.vsix
	mkdir -p $(VSCODE)/server && cp $(BIN) $(VSCODE)/server/threatls
	cd $(VSCODE) && npx @vscode/vsce package --skip-license --target $(VSCE_TARGET) -o ../../bin/threatls-$(VSCE_TARGET).vsix
	rm -rf $(VSCODE)/server

# The extension in a real VS Code: code-server (installed once into ~/.cache/threatls, ~11
# minutes cold) driven by Debian's Chromium. Not part of `make test`; CI runs it.
test-vscode: vscode
	THREATLS_VSIX=$(CURDIR)/bin/threatls-$(VSCE_TARGET).vsix $(GO) test -count=1 -tags vscode -timeout 30m -v ./editors/vscode/e2e/

# bench is a quick look (a few iterations, the 1,000-file workspace); bench-long the numbers
# of the README (the 1k, 5k and 20k-file curve, 200 edits and keystrokes; about an hour on
# 2 cores).
bench:
	$(GO) test -run '^$$' -bench . -benchtime 3x ./engine/
	$(GO) test -run '^$$' -bench 'Protocol$$' -benchtime 40x ./lsp/e2e/
	$(GO) test -run '^$$' -bench 'ProtocolLargeFile/terraform' -benchtime 40x ./lsp/e2e/
	$(GO) test -run '^$$' -bench 'ProtocolLargeFile/yaml' -benchtime 40x ./lsp/e2e/

# bench-cli: the command line's time and peak memory on the scale corpus (README's table).
bench-cli:
	measure/cli.sh

bench-long:
	THREATLS_BENCH_LONG=1 $(GO) test -run '^$$' -bench 'Scan$$|Edit' -benchtime 10x -timeout 30m ./engine/
	THREATLS_BENCH_LONG=1 $(GO) test -run '^$$' -bench Scale -benchtime 200x -timeout 60m ./engine/
	THREATLS_BENCH_LONG=1 $(GO) test -run '^$$' -bench 'Protocol$$' -benchtime 200x -timeout 60m ./lsp/e2e/
	THREATLS_BENCH_LONG=1 $(GO) test -run '^$$' -bench 'ProtocolLargeFile/terraform' -benchtime 100x -timeout 30m ./lsp/e2e/
	THREATLS_BENCH_LONG=1 $(GO) test -run '^$$' -bench 'ProtocolLargeFile/yaml' -benchtime 100x -timeout 30m ./lsp/e2e/

lint:
	@test -z "$$(gofmt -l .)" || { echo "gofmt would change:"; gofmt -l .; exit 1; }
	$(GO) vet ./...

# docs/rules.md is generated from the library; a test fails when it is stale.
rules: build
	./$(BIN) rules --format markdown > docs/rules.md

clean:
	rm -rf bin dist
