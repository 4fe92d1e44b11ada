# secstream — build, test, demo, benchmark, install.
# `make demo` and `make test` work on a fresh Debian machine: they install the
# system -dev libraries (scripts/deps.sh) and the Python test venv (scripts/venv.sh).

PREFIX  ?= /usr/local
SWIFT   ?= swift
RELEASE  = .build/release/secstream
DEMO_EVENTS ?= 200000
DEMO_SEED   ?= 7

.PHONY: all deps venv build debug test demo eval bench bench-mask bench-instructions bench-metrics install uninstall clean services-up services-down fuzz fuzz-xctest fuzz-build fuzz-libfuzzer sanitize sanitize-address sanitize-thread soak embed-rules

all: build

deps:
	@bash scripts/deps.sh

venv: deps
	@bash scripts/venv.sh

build: deps
	$(SWIFT) build -c release --product secstream

debug: deps
	$(SWIFT) build

# The whole suite: unit tests plus integration tests against real local
# servers (Tansu, moto, nanio, Prometheus, Pushgateway) that the tests start and stop themselves.
test: venv
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --disable-swift-testing

# Generate a labelled stream, detect with the built-in rules, print the alerts.
demo: build
	@mkdir -p .demo
	$(RELEASE) generate --events $(DEMO_EVENTS) --seed $(DEMO_SEED) --truth .demo/truth.ndjson -o .demo/events.ndjson.gz
	$(RELEASE) process --input .demo/events.ndjson.gz --alerts .demo/alerts.ndjson --dead-letter .demo/dead-letter.ndjson
	@echo "--- alerts (.demo/alerts.ndjson) ---"
	@cat .demo/alerts.ndjson
	@echo "--- $$(wc -l < .demo/alerts.ndjson) alerts; $$(wc -l < .demo/truth.ndjson) injected attacks (.demo/truth.ndjson)"

# Precision, recall and F1 of each detection method on the learned scenarios:
# a training month (seed 1) and four held-out months (seeds 2-5) of
# `generate --profile habits`, scored by eval/score.py into eval/results.md
# (README "Learned scenarios and make eval"). About two minutes on 2 cores;
# the training month stays in .eval/.
eval: venv
	$(SWIFT) build --product secstream
	SECSTREAM=.build/debug/secstream bash scripts/eval.sh

# Long randomized runs (not part of `make test`): the XCTest fuzzers and
# differentials, then the libFuzzer targets.
fuzz: fuzz-xctest fuzz-libfuzzer

# The decoder fuzzers and the scanner/engine differentials at FUZZ_SCALE times
# their iterations, with the seeds moved by FUZZ_SEED (a failure names the seed
# that reproduces it).
FUZZ_SCALE ?= 50
FUZZ_SEED  ?= $(shell date +%s)
FUZZ_TESTS ?= KafkaFuzzTests|EventScannerDifferentialTests|ReferenceDifferentialTests
fuzz-xctest: deps
	$(SWIFT) build --build-tests
	SECSTREAM_FUZZ_SCALE=$(FUZZ_SCALE) SECSTREAM_FUZZ_SEED=$(FUZZ_SEED) \
		$(SWIFT) test --skip-build --disable-swift-testing --filter '$(FUZZ_TESTS)'

# libFuzzer targets (Sources/Fuzz/, seeds in fixtures/fuzz/<target>/), built
# with libFuzzer and AddressSanitizer in release (checked) mode in their own
# build directory. Each runs FUZZ_SECONDS within FUZZ_RSS_MB; crashes go to
# .build-fuzz/crashes/, the growing corpus to .build-fuzz/corpus/<target>/.
# FUZZERS picks a subset: make fuzz-libfuzzer FUZZERS=FuzzCodecs FUZZ_SECONDS=600
FUZZERS      ?= FuzzFieldScanner FuzzArchiveMask FuzzSigmaRules FuzzQuery FuzzKafkaRecordBatch FuzzKafkaResponses FuzzS3XML FuzzCodecs
FUZZ_SECONDS ?= 60
FUZZ_RSS_MB  ?= 2048
# Not `--sanitize=fuzzer --sanitize=address`: SwiftPM passes those to swiftc as
# two -sanitize= flags and swiftc keeps only the last, which leaves the Swift
# code without coverage instrumentation (libFuzzer then sees ~16 edges). The
# combined flag comes last and wins; C targets get -fsanitize=fuzzer from
# SwiftPM and ASan from -Xcc.
FUZZ_FLAGS   = --sanitize=fuzzer -Xswiftc -sanitize=fuzzer,address -Xcc -fsanitize=address
fuzz-build: deps
	@for f in $(FUZZERS); do \
		echo "building $$f"; \
		SECSTREAM_FUZZ_TARGETS=1 $(SWIFT) build -c release $(FUZZ_FLAGS) \
			--scratch-path .build-fuzz --product $$f || exit 1; \
	done

fuzz-libfuzzer: fuzz-build
	FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_RSS_MB=$(FUZZ_RSS_MB) bash scripts/fuzz.sh $(FUZZERS)

# The whole suite (unit and integration tests) under AddressSanitizer, then
# under ThreadSanitizer, each in its own build directory (.build-asan,
# .build-tsan). Slow (TSan especially); not part of `make test`.
# SANITIZE_FILTER narrows both runs: make sanitize SANITIZE_FILTER=SecStreamCoreTests
SANITIZE_FILTER ?=
sanitize: sanitize-address sanitize-thread

sanitize-address: venv
	$(SWIFT) build --build-tests --sanitize=address --scratch-path .build-asan
	SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=detect_leaks=0 \
		$(SWIFT) test --skip-build --disable-swift-testing --sanitize=address --scratch-path .build-asan \
		$(if $(SANITIZE_FILTER),--filter '$(SANITIZE_FILTER)')

sanitize-thread: venv
	$(SWIFT) build --build-tests --sanitize=thread --scratch-path .build-tsan
	SWIFT_BACKTRACE=enable=no TSAN_OPTIONS=second_deadlock_stack=1 \
		$(SWIFT) test --skip-build --disable-swift-testing --sanitize=thread --scratch-path .build-tsan \
		$(if $(SANITIZE_FILTER),--filter '$(SANITIZE_FILTER)')

# A long exactly-once run: consumer-group instances killed and restarted while
# events stream in, checked against a file run (scripts/soak.sh; SOAK_EVENTS, ...).
soak: build venv
	@bash scripts/soak.sh

# Local servers for manual runs and demos (tests start their own).
services-up: venv
	@bash scripts/tansu.sh start
	@bash scripts/s3-servers.sh start moto

services-down:
	@bash scripts/tansu.sh stop
	@bash scripts/s3-servers.sh stop all

bench: build venv
	@bash scripts/bench.sh

# What --mask and --encrypt cost `process` (README, "Sensitive data").
bench-mask: build
	@bash scripts/bench-mask.sh

# Instructions an event (callgrind) of process, archiving, masking and
# encryption: the figure that does not move with the host (README, "Benchmarks").
bench-instructions: build
	@bash scripts/bench-instructions.sh

# What --metrics-listen costs `process` (README, "Watching secstream").
bench-metrics: build
	@bash scripts/bench-metrics.sh

install: build
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/secstream/rules
	install -m 0755 $(RELEASE) $(DESTDIR)$(PREFIX)/bin/secstream
	install -m 0644 man/*.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	install -d $(DESTDIR)$(PREFIX)/share/man/man5
	install -m 0644 man/*.5 $(DESTDIR)$(PREFIX)/share/man/man5/
	install -d $(DESTDIR)$(PREFIX)/share/man/man7 $(DESTDIR)$(PREFIX)/share/secstream/pipelines
	install -m 0644 man/*.7 $(DESTDIR)$(PREFIX)/share/man/man7/
	install -m 0644 pipelines/*.yml $(DESTDIR)$(PREFIX)/share/secstream/pipelines/
	install -m 0644 rules/*.yml $(DESTDIR)$(PREFIX)/share/secstream/rules/

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/secstream $(addprefix $(DESTDIR)$(PREFIX)/share/man/man1/,$(notdir $(wildcard man/*.1))) $(addprefix $(DESTDIR)$(PREFIX)/share/man/man7/,$(notdir $(wildcard man/*.7))) $(addprefix $(DESTDIR)$(PREFIX)/share/man/man5/,$(notdir $(wildcard man/*.5)))
	rm -rf $(DESTDIR)$(PREFIX)/share/secstream

# Regenerate the Swift file that compiles the rule pack into the binary.
embed-rules:
	bash scripts/embed-rules.sh

clean:
	rm -rf .build .build-asan .build-tsan .build-fuzz .demo bench-data
