# kpi: a compiled language for sales bonus schemes.
#   make            build kpic and kpirun into $(BUILD)/
#   make demo       run the bundled wholesale scheme (examples/demo)
#   make test       unit tests (cmocka) and golden end-to-end tests
#   make bad-inputs the catalogue of malformed inputs (tests/bad), with its count
#   make limits     the size limits at the limit and one past it (base/limits.h)
#   make asan       the whole suite under ASan+UBSan (clang's stricter checks when it has them)
#   make valgrind   the whole suite under valgrind's memcheck, leaks included
#   make fuzz       libFuzzer targets (clang); fuzz-replay, fuzz-smoke, fuzz-run
#   make browser-test  payout statements rendered in headless Chromium
#   make bench      kpirun against DuckDB, SQLite, pandas, awk (BENCH_SIZE=full|1m|small)
#   make crash-safety  kpirun killed at random points while writing (CRASH_TRIALS)
#   make coverage   line and branch coverage of the suite (gcovr) into $(BUILD)-cov/coverage
#   make install PREFIX=/usr/local
# Missing Debian build packages are installed when run as root, named otherwise.

PREFIX  ?= /usr/local
BUILD   ?= build
CC      ?= cc
OPT     ?= -O2
SAN     ?=
DEB_PKGS = flex bison libcmocka-dev nettle-dev libjansson-dev python3-jsonschema

WARN     = -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wpointer-arith -Wformat=2 -Wundef
# DWARF 4: Debian 12 valgrind cannot read clang's DWARF 5 forms
CFLAGS  ?= -g -gdwarf-4 $(OPT)
ALL_CFLAGS = -std=c11 -pthread $(WARN) $(CFLAGS) $(SAN)
CPPFLAGS += -D_POSIX_C_SOURCE=200809L -I. -I$(BUILD)
LDFLAGS += $(SAN) -pthread
# nettle: SHA-256 of inputs and outputs (run manifests); jansson: reading them back
LDLIBS  += -lnettle -ljansson
# Generated scanner/parser code is not ours to lint beyond -Wall -Wextra.
GEN_CFLAGS = -std=c11 -Wall -Wextra -Werror -Wno-unused-function -Wno-sign-compare \
             -Wno-unused-parameter $(CFLAGS) $(SAN)

LIB_DIRS = base grammar compiler vm stdlib report driver
LIB_SRC  = $(foreach d,$(LIB_DIRS),$(wildcard $(d)/*.c))
GEN_SRC  = $(BUILD)/grammar/parser.c $(BUILD)/grammar/lexer.c $(BUILD)/stdlib/stdlib_data.c
LIB_OBJ  = $(LIB_SRC:%.c=$(BUILD)/%.o) $(GEN_SRC:.c=.o)
KPIRUN_SRC = $(wildcard cli/kpirun*.c)
KPIRUN_OBJ = $(KPIRUN_SRC:%.c=$(BUILD)/%.o)
CLI_COMMON = $(filter-out cli/kpic.c $(KPIRUN_SRC),$(wildcard cli/*.c))
CLI_COMMON_OBJ = $(CLI_COMMON:%.c=$(BUILD)/%.o)
UNIT_SRC = $(wildcard tests/unit/test_*.c)
UNIT_BIN = $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
LIB      = $(BUILD)/libkpi.a
KPIC     = $(BUILD)/kpic
KPIRUN   = $(BUILD)/kpirun
DEPS_OK  = $(BUILD)/.deps-ok

.PHONY: all demo test unit golden bad-inputs limits browser-test asan valgrind valgrind-run install uninstall clean deps bench
.PHONY: crash-safety coverage
.PHONY: fuzz fuzz-bins fuzz-replay fuzz-replay-run fuzz-smoke fuzz-run fuzz-merge
.DELETE_ON_ERROR:

all: $(KPIC) $(KPIRUN)

# --- build packages ---------------------------------------------------------
deps: $(DEPS_OK)
$(DEPS_OK):
	@missing=""; \
	command -v flex  >/dev/null 2>&1 || missing="$$missing flex"; \
	command -v bison >/dev/null 2>&1 || missing="$$missing bison"; \
	[ -f /usr/include/cmocka.h ] || missing="$$missing libcmocka-dev"; \
	[ -f /usr/include/nettle/sha2.h ] || missing="$$missing nettle-dev"; \
	[ -f /usr/include/jansson.h ] || missing="$$missing libjansson-dev"; \
	/usr/bin/python3 -c 'import jsonschema' 2>/dev/null || missing="$$missing python3-jsonschema"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing build packages:$$missing"; \
	    DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null || exit 1; \
	  else \
	    echo "missing build packages:$$missing"; \
	    echo "install them with: sudo apt-get install -y$$missing"; exit 1; \
	  fi; \
	fi
	@mkdir -p $(@D) && touch $@

# --- generated sources ------------------------------------------------------
$(BUILD)/grammar/parser.c $(BUILD)/grammar/parser.h &: grammar/parser.y | $(DEPS_OK)
	@mkdir -p $(@D)
	bison -Wall -Werror --defines=$(BUILD)/grammar/parser.h -o $(BUILD)/grammar/parser.c $<

$(BUILD)/grammar/lexer.c $(BUILD)/grammar/lexer.h &: grammar/lexer.l | $(DEPS_OK)
	@mkdir -p $(@D)
	flex --header-file=$(BUILD)/grammar/lexer.h -o $(BUILD)/grammar/lexer.c $<

# The stdlib is embedded so an uninstalled binary still finds it.
$(BUILD)/stdlib/stdlib_data.c: $(wildcard stdlib/*.kpi) stdlib/embed.sh
	@mkdir -p $(@D)
	sh stdlib/embed.sh $(sort $(wildcard stdlib/*.kpi)) > $@.tmp && mv $@.tmp $@

$(BUILD)/grammar/parser.o: $(BUILD)/grammar/parser.c $(BUILD)/grammar/lexer.h
	$(CC) $(CPPFLAGS) $(GEN_CFLAGS) -c $< -o $@
$(BUILD)/grammar/lexer.o: $(BUILD)/grammar/lexer.c $(BUILD)/grammar/parser.h
	$(CC) $(CPPFLAGS) $(GEN_CFLAGS) -c $< -o $@
$(BUILD)/stdlib/stdlib_data.o: $(BUILD)/stdlib/stdlib_data.c
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -c $< -o $@

# --- objects ----------------------------------------------------------------
$(BUILD)/%.o: %.c | $(DEPS_OK) $(BUILD)/grammar/parser.h $(BUILD)/grammar/lexer.h
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

$(LIB): $(LIB_OBJ)
	rm -f $@ && ar rcs $@ $^

$(KPIC): $(BUILD)/cli/kpic.o $(CLI_COMMON_OBJ) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)
$(KPIRUN): $(KPIRUN_OBJ) $(CLI_COMMON_OBJ) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c tests/unit/testutil.h $(CLI_COMMON_OBJ) $(LIB) | $(DEPS_OK)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -o $@ $< $(CLI_COMMON_OBJ) $(LIB) $(LDFLAGS) $(LDLIBS) -lcmocka

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

# --- running ------------------------------------------------------------------
demo: $(KPIRUN)
	$(KPIRUN) examples/demo/scheme.kpi --period 2026-10

unit: $(UNIT_BIN)
	@fail=0; for t in $(UNIT_BIN); do $$t || fail=1; done; exit $$fail

golden: $(KPIC) $(KPIRUN)
	@sh tests/golden/run.sh $(BUILD)

test: unit golden

# Both also run within golden; these print their own counts (docs/reliability.md).
bad-inputs: $(KPIC) $(KPIRUN)
	@sh tests/bad/run.sh $(BUILD)

limits: $(KPIC) $(KPIRUN) $(BUILD)/tests/test_limits
	@$(BUILD)/tests/test_limits
	@sh tests/limits/run.sh $(BUILD)
	@echo "$$(grep -cE '^#define [A-Z_]+ +[0-9(]' base/limits.h) named limits in base/limits.h"

# Payout statements rendered by headless Chromium (Debian's chromium; .ci/run installs it).
browser-test: $(KPIRUN)
	@sh tests/browser/run.sh $(BUILD)

# kpirun and its peers on a generated month (not part of test; bench/README.md).
BENCH_SIZE ?= full
BENCH_TOOLS = $(BUILD)/bench-gen $(BUILD)/bench-measure $(BUILD)/bench-cmp $(BUILD)/bench-ceiling
$(BUILD)/bench-%: bench/%.c | $(DEPS_OK)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -o $@ $< $(LDFLAGS)
# the evaluation bench's scheme by hand, on libkpi's exact numbers
$(BUILD)/bench-ceiling: bench/ceiling.c $(LIB) | $(DEPS_OK)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -o $@ $< $(LIB) $(LDFLAGS)
bench: $(KPIC) $(KPIRUN) $(BENCH_TOOLS)
	@sh bench/run.sh $(BUILD) $(BENCH_SIZE)

# Output files are whole after any SIGKILL (docs/reliability.md, Crash safety);
# not part of test: it takes some 20 s.
CRASH_TRIALS ?= 240
crash-safety: $(KPIRUN)
	@sh tests/crash/run.sh $(BUILD) $(CRASH_TRIALS)

# The suite (test) built with gcc --coverage -O0 into $(BUILD)-cov, then gcovr's
# figures per directory (docs/reliability.md, Coverage). gcovr is installed
# when root and missing, named otherwise; test itself does not need it.
coverage:
	@command -v gcovr >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing gcovr"; DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends gcovr >/dev/null || exit 1; \
	  else echo "make coverage needs gcovr: sudo apt-get install -y gcovr"; exit 1; fi; }
	@find $(BUILD)-cov -name '*.gcda' -delete 2>/dev/null || true
	@# the figures are printed even when a test fails; make still fails then
	@$(MAKE) BUILD=$(BUILD)-cov CC=gcc OPT=-O0 SAN=--coverage test; rc=$$?; \
	sh tests/coverage/report.sh $(BUILD)-cov && exit $$rc

# --- sanitizers (docs/reliability.md, Sanitizers) -----------------------------
# make asan: the whole suite (make test) with ASan and UBSan, every finding
# fatal. With clang (installed when root and missing) UBSan also reports what
# C defines but is almost always a bug here: unsigned wraparound (functions
# that wrap on purpose say so with KPI_WRAPS, base/compiler.h), implicit
# conversions that change a value, and more. gcc, the fallback, has only
# float-divide-by-zero of these; the target says when it falls back.
ASAN_FLAGS  = -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
ASAN_GCC    = $(ASAN_FLAGS) -fsanitize=float-divide-by-zero
ASAN_CLANG  = $(ASAN_GCC) -fsanitize=unsigned-integer-overflow,implicit-conversion,local-bounds,nullability
ASAN_BUILD ?= build-asan-clang
ASAN_BUILD_GCC ?= build-asan-gcc
ASAN_PROBE  = printf 'int main(void) { return 0; }\n' | \
              clang -x c $(ASAN_CLANG) -o /dev/null - >/dev/null 2>&1
asan:
	@if ! $(ASAN_PROBE) && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "installing clang and its sanitizer runtimes"; \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends clang libclang-rt-dev >/dev/null 2>&1 || \
	  { DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends clang libclang-rt-dev >/dev/null; }; \
	fi; \
	if $(ASAN_PROBE); then \
	  echo "asan: clang $(ASAN_CLANG)"; \
	  $(MAKE) --no-print-directory BUILD=$(ASAN_BUILD) CC=clang OPT=-O1 SAN="$(ASAN_CLANG)" test; \
	else \
	  echo "asan: clang with its sanitizers is missing (sudo apt-get install -y clang libclang-rt-dev);"; \
	  echo "asan: gcc $(ASAN_GCC), without the checks of unsigned wraparound, implicit conversions, local bounds and nullability"; \
	  $(MAKE) --no-print-directory BUILD=$(ASAN_BUILD_GCC) OPT=-O1 SAN="$(ASAN_GCC)" test; \
	fi

# --- fuzzing (docs/reliability.md, Fuzzing) -----------------------------------
# fuzz/fuzz_NAME.c is a target: libFuzzer (clang) in $(BUILD)-fuzz/fuzz/fuzz_NAME,
# and a plain replayer of files (any compiler) in $(BUILD)/fuzz/replay_NAME.
FUZZ_TARGETS = $(patsubst fuzz/fuzz_%.c,%,$(wildcard fuzz/fuzz_*.c))
FUZZ_BINS    = $(FUZZ_TARGETS:%=$(BUILD)/fuzz/fuzz_%)
REPLAY_BINS  = $(FUZZ_TARGETS:%=$(BUILD)/fuzz/replay_%)
FUZZ_SAN     = -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_SECONDS ?= 20

$(FUZZ_BINS): $(BUILD)/fuzz/fuzz_%: $(BUILD)/fuzz/fuzz_%.o $(BUILD)/fuzz/common.o $(LIB)
	$(CC) $(LDFLAGS) -fsanitize=fuzzer -o $@ $^ $(LDLIBS)
$(REPLAY_BINS): $(BUILD)/fuzz/replay_%: $(BUILD)/fuzz/fuzz_%.o $(BUILD)/fuzz/common.o $(BUILD)/fuzz/replay.o $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

fuzz-bins: $(FUZZ_BINS)
# clang and its libFuzzer runtime (libclang-rt-dev is only recommended by clang).
fuzz:
	@{ command -v clang >/dev/null 2>&1 && \
	   [ -f "$$(clang --print-runtime-dir)/libclang_rt.fuzzer-$$(uname -m).a" ]; } || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends clang libclang-rt-dev >/dev/null || \
	    { DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends clang libclang-rt-dev >/dev/null; } || exit 1; \
	  else echo "make fuzz needs clang and libFuzzer: sudo apt-get install -y clang libclang-rt-dev"; exit 1; fi; }
	$(MAKE) BUILD=$(BUILD)-fuzz CC=clang OPT=-O1 SAN="$(FUZZ_SAN)" fuzz-bins

# The corpus and tests/bugs through every target, gcc + ASan/UBSan (CI).
fuzz-replay:
	$(MAKE) BUILD=$(BUILD)-asan OPT=-O1 SAN="$(ASAN_FLAGS)" fuzz-replay-run
fuzz-replay-run: $(REPLAY_BINS)
	@sh fuzz/run.sh replay $(BUILD) $(FUZZ_TARGETS)

# The replay, then each target fuzzed for FUZZ_SECONDS; fuzz-run is the
# campaign docs/reliability.md reports (CPU time and executions per target).
fuzz-smoke: fuzz-replay fuzz
	@sh fuzz/run.sh fuzz $(BUILD)-fuzz $(FUZZ_SECONDS) $(FUZZ_TARGETS)
fuzz-run: fuzz
	@sh fuzz/run.sh fuzz $(BUILD)-fuzz $(FUZZ_SECONDS) $(FUZZ_TARGETS)
# Folds what fuzz-run found into fuzz/corpus, keeping only inputs that add coverage.
fuzz-merge: fuzz
	@sh fuzz/run.sh merge $(BUILD)-fuzz $(FUZZ_TARGETS)

# make valgrind: under memcheck the unit tests, every golden, the malformed
# inputs and the limits; any error, and any leak that is definite, indirect
# or possible, fails (tests/valgrind/run.sh; VG_SUITE=full adds the rest of
# tests/golden/run.sh, 20+ minutes). Built in a directory of its own once
# valgrind is there: base/alloc.c tells memcheck of each block only when
# compiled with <valgrind/memcheck.h>.
VG_BUILD ?= build-valgrind
VG_SUITE ?=
valgrind:
	@command -v valgrind >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing valgrind"; \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends valgrind >/dev/null 2>&1 || \
	    { DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends valgrind >/dev/null; } || exit 1; \
	  else echo "make valgrind needs valgrind: sudo apt-get install -y valgrind"; exit 1; fi; }
	@printf '#include <valgrind/memcheck.h>\n' | $(CC) -E -x c - >/dev/null 2>&1 || \
	  { echo "make valgrind needs <valgrind/memcheck.h> (Debian: valgrind; elsewhere valgrind-devel)"; exit 1; }
	@$(MAKE) --no-print-directory BUILD=$(VG_BUILD) valgrind-run
valgrind-run: $(UNIT_BIN) $(KPIC) $(KPIRUN)
	@sh tests/valgrind/run.sh $(BUILD) $(VG_SUITE)

install: $(KPIC) $(KPIRUN)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/kpi/stdlib
	install -m 755 $(KPIC) $(KPIRUN) $(DESTDIR)$(PREFIX)/bin/
	install -m 644 stdlib/*.kpi $(DESTDIR)$(PREFIX)/share/kpi/stdlib/

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/kpic $(DESTDIR)$(PREFIX)/bin/kpirun
	rm -rf $(DESTDIR)$(PREFIX)/share/kpi

clean:
	rm -rf $(BUILD) build-asan $(BUILD)-cov $(ASAN_BUILD) $(ASAN_BUILD_GCC) $(VG_BUILD)
