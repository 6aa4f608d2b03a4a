# nbac: the two commands a developer needs are `make build` and `make test`.
GO        ?= go
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT    ?= $(shell git rev-parse HEAD 2>/dev/null)
# The commit's own time, never the clock, so a build says when its source was made.
DATE      ?= $(shell TZ=UTC git log -1 --format=%cd --date=format-local:%Y-%m-%dT%H:%M:%SZ 2>/dev/null)
LDFLAGS   := -X main.version=$(VERSION) -X main.commit=$(COMMIT) -X main.date=$(DATE)

.PHONY: build test test-stress test-kube-upstream test-graph-html kube-apiserver-test fmt vet golden fuzz bench release

build:
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o bin/nbac ./cmd/nbac

# release: reproducible binaries of the commit at HEAD for linux, darwin and
# windows on amd64 and arm64, and SHA256SUMS, in dist/ (docs/releasing.md).
# `.ci/release.sh -check` builds twice and compares the checksums.
release:
	GO=$(GO) .ci/release.sh

# test: vet, every package's tests; the runtime (concurrent code talking to
# Redis, RabbitMQ and Kafka) runs under the race detector. TEST_TIMEOUT
# replaces go test's 10-minute limit per package: a saturated machine
# (make test-stress, a cold build cache) can need longer to build the
# release binaries cmd/nbac's tests make, and a verdict must not depend on
# the machine's speed. It still stops a test that hangs.
TEST_TIMEOUT ?= 30m
test: vet test-kube-upstream test-graph-html kube-apiserver-test
	NBAC_KUBE_APISERVER=$(KUBE_APISERVER) $(GO) test -count=1 -timeout $(TEST_TIMEOUT) $$($(GO) list ./... | grep -v '/runtime')
	$(GO) test -count=1 -timeout $(TEST_TIMEOUT) -race ./runtime/...

# test-stress: the whole `make test` while stress-ng runs STRESS_HOGS CPU hogs
# (default 4 per core, a load of about 4x the cores). Every verdict must hold on
# a saturated machine; docs/testing.md records the runs.
STRESS_HOGS ?= $(shell echo $$(( $$(nproc) * 4 )))
test-stress:
	@command -v stress-ng >/dev/null 2>&1 || { echo >&2 'test-stress needs stress-ng (Debian: apt-get install -y stress-ng)'; exit 1; }
	@stress-ng --cpu $(STRESS_HOGS) --timeout 2h --quiet & hogs=$$!; \
	trap 'kill $$hogs 2>/dev/null; wait $$hogs 2>/dev/null' EXIT INT TERM; \
	sleep 5; start=$$(date +%s); \
	echo "== test-stress: $(STRESS_HOGS) CPU hogs on $$(nproc) cores, load $$(cut -d' ' -f1-3 /proc/loadavg)"; \
	$(MAKE) --no-print-directory test; rc=$$?; \
	echo "== test-stress: make test exited $$rc after $$(( $$(date +%s) - start )) s, load $$(cut -d' ' -f1-3 /proc/loadavg)"; \
	exit $$rc

# test-kube-upstream: the differential test against the Kubernetes API
# server's own create validation (k8s.io/kubernetes v1.33, nested module
# conformance/kubernetes): every boundary value of every attribute that
# reaches a Kubernetes field, plus 50 random combinations.
test-kube-upstream:
	cd conformance/kubernetes && $(GO) vet . ./cmd/... && $(GO) test -count=1 -timeout $(TEST_TIMEOUT) -short .

# test-graph-html: `nbac graph -format html`'s page in headless Chromium
# (chromedp, nested module conformance/graphhtml): loads without a console
# error or CSP violation, draws every block, pans, zooms, and a click shows
# the block's file:line; hostile names inject nothing.
test-graph-html:
	cd conformance/graphhtml && $(GO) vet . && $(GO) test -count=1 -timeout $(TEST_TIMEOUT) .

# kube-apiserver-test: the real Kubernetes API server (k8s.io/kubernetes v1.33,
# etcd embedded) that the live tests (live/kube, cmd/nbac testdata/live) run
# against, from the nested module conformance/kubernetes so it shares that
# module's build cache. Built once per go.sum and main.go into the user cache
# dir, outside the clone (internal/kubetest computes the same path); a cold
# build takes about 10 minutes and 2 GB (docs/live.md), a cached one nothing.
KUBE_APISERVER := $(shell h=$$(cat conformance/kubernetes/go.sum conformance/kubernetes/cmd/kube-apiserver-test/main.go | sha256sum | cut -c1-16); echo $${XDG_CACHE_HOME:-$$HOME/.cache}/nbac/kube-apiserver-test-$$h)
kube-apiserver-test:
	@if [ -x $(KUBE_APISERVER) ]; then echo "kube-apiserver-test: cached $(KUBE_APISERVER)"; else \
	  mkdir -p $(dir $(KUBE_APISERVER)) && start=$$(date +%s) && \
	  (cd conformance/kubernetes && $(GO) build -o $(KUBE_APISERVER).tmp ./cmd/kube-apiserver-test) && \
	  mv $(KUBE_APISERVER).tmp $(KUBE_APISERVER) && \
	  echo "kube-apiserver-test: built $(KUBE_APISERVER) in $$(( $$(date +%s) - start )) s"; fi

fmt:
	gofmt -w $$(git ls-files '*.go')

vet:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { echo 'gofmt needed on:'; gofmt -l $$(git ls-files '*.go'); exit 1; }
	$(GO) vet ./...

# golden: refresh golden/*.txtar expectations; review the diff before committing.
golden:
	$(GO) test ./golden -update

# fuzz: the front-end fuzzer; FUZZTIME=10m for a long run.
FUZZTIME ?= 60s
fuzz:
	$(GO) test ./lang -run '^$$' -fuzz FuzzCompile -fuzztime $(FUZZTIME)
	cd conformance/kubernetes && NBAC_CONFORMANCE_CASES=5000 $(GO) test -count=1 -timeout 0 -run TestUpstream .
	cd conformance/kubernetes && $(GO) test -run '^$$' -fuzz FuzzUpstreamAcceptsWhatNbacAccepts -fuzztime $(FUZZTIME) .

# bench: side-by-side benchmarks against peer libraries (nested module):
# cache and queues with -cpu 1,2, then the compile tables (nbac vs Helm vs
# CUE), which refresh docs/performance.md. NBAC_BENCH_N=10,100 for a quick run.
bench:
	cd bench && $(GO) test -run '^$$' -bench . -benchmem -cpu 1,2 -timeout 0 $$($(GO) list ./... | grep -v /compile)
	bench/run-compile.sh
