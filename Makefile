# A thin wrapper over the go command. `make demo` scans the built-in example; `make test`
# runs every test (CI runs exactly that).

GO      ?= go
BIN     := bin/threatls
EXAMPLE := testdata/examples/shop

.PHONY: build test test-deps demo bench bench-long lint rules clean

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
# package, 0.7+), Debian's Chromium (the HTML report is opened in it), and the npm packages of
# the scripted VS Code-like client and of the report's browser check.
test-deps: lsp/e2e/node_modules report/browser/node_modules
	@command -v nvim >/dev/null || { echo "installing neovim (apt-get)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq neovim >/dev/null; }
	@test -x /usr/bin/chromium || { echo "installing chromium (apt-get)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

report/browser/node_modules: report/browser/package-lock.json
	npm ci --prefix report/browser --no-audit --no-fund
	@touch $@

lsp/e2e/node_modules: lsp/e2e/package-lock.json
	npm ci --prefix lsp/e2e --no-audit --no-fund
	@touch $@

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
