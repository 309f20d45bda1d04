# A thin wrapper over the go command. `make demo` scans the built-in example; `make test`
# runs every test (CI runs exactly that).

GO      ?= go
BIN     := bin/threatls
EXAMPLE := testdata/examples/shop
VSCODE  := editors/vscode

.PHONY: build test test-deps test-vscode vscode demo bench bench-long lint rules clean

build:
	$(GO) build -o $(BIN) ./cmd/threatls

demo: build
	./$(BIN) scan $(EXAMPLE) || true
	@echo
	@echo "The system those files describe, and how an attacker gets from the internet to its data:"
	@echo
	./$(BIN) model --paths $(EXAMPLE)
	@echo
	@echo "More: ./$(BIN) model --format mermaid $(EXAMPLE)   (also dot, json, otm, threagile)"
	@echo "      ./$(BIN) scan --format sarif $(EXAMPLE)      (for GitHub code scanning)"

test: test-deps
	$(GO) vet ./...
	$(GO) test -count=1 ./...

# What the end-to-end tests need beyond Go, installed only when missing: Neovim (Debian's
# package, 0.7+), Emacs with eglot (Debian's), the npm packages of the scripted VS Code-like
# client and of the VS Code extension (its unit tests run under go test).
test-deps: lsp/e2e/node_modules $(VSCODE)/node_modules
	@command -v nvim >/dev/null || { echo "installing neovim (apt-get)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq neovim >/dev/null; }
	@emacs --batch --eval "(require 'eglot)" >/dev/null 2>&1 || \
		{ echo "installing emacs-nox and elpa-eglot (apt-get)"; apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq emacs-nox elpa-eglot >/dev/null; }

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

bench:
	$(GO) test -run '^$$' -bench . -benchtime 3x ./engine/

bench-long:
	THREATLS_BENCH_LONG=1 $(GO) test -run '^$$' -bench . -benchtime 10x -timeout 30m ./engine/

lint:
	@test -z "$$(gofmt -l .)" || { echo "gofmt would change:"; gofmt -l .; exit 1; }
	$(GO) vet ./...

# docs/rules.md is generated from the library; a test fails when it is stale.
rules: build
	./$(BIN) rules --format markdown > docs/rules.md

clean:
	rm -rf bin
