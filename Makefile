# kpi: a compiled language for sales bonus schemes.
#   make            build kpic and kpirun into $(BUILD)/
#   make demo       run the bundled wholesale scheme (examples/demo)
#   make test       unit tests (cmocka) and golden end-to-end tests
#   make bad-inputs the catalogue of malformed inputs (tests/bad), with its count
#   make limits     the size limits at the limit and one past it (base/limits.h)
#   make asan       the whole suite under ASan+UBSan
#   make browser-test  payout statements rendered in headless Chromium
#   make bench      kpirun against DuckDB, SQLite, pandas, awk (BENCH_SIZE=full|1m|small)
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

.PHONY: all demo test unit golden bad-inputs limits browser-test asan valgrind install uninstall clean deps bench
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
$(BUILD)/grammar/parser.c $(BUILD)/grammar/parser.h: grammar/parser.y | $(DEPS_OK)
	@mkdir -p $(@D)
	bison -Wall -Werror --defines=$(BUILD)/grammar/parser.h -o $(BUILD)/grammar/parser.c $<

$(BUILD)/grammar/lexer.c $(BUILD)/grammar/lexer.h: grammar/lexer.l | $(DEPS_OK)
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
BENCH_TOOLS = $(BUILD)/bench-gen $(BUILD)/bench-measure $(BUILD)/bench-cmp
$(BUILD)/bench-%: bench/%.c | $(DEPS_OK)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -o $@ $< $(LDFLAGS)
bench: $(KPIC) $(KPIRUN) $(BENCH_TOOLS)
	@sh bench/run.sh $(BUILD) $(BENCH_SIZE)

ASAN_FLAGS = -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
asan:
	$(MAKE) BUILD=build-asan OPT=-O1 SAN="$(ASAN_FLAGS)" test

VALGRIND = valgrind -q --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite,indirect
valgrind: $(UNIT_BIN) $(KPIC) $(KPIRUN)
	@command -v valgrind >/dev/null || { echo "valgrind is not installed (apt-get install valgrind)"; exit 1; }
	@fail=0; for t in $(UNIT_BIN); do $(VALGRIND) $$t >/dev/null 2>$(BUILD)/valgrind.log || { cat $(BUILD)/valgrind.log; fail=1; }; done; \
	for d in examples/*/; do \
	  [ -f $$d/scheme.kpi ] || continue; \
	  g=$$(grep -l '^\$$ kpirun scheme.kpi --period' $$d*.golden 2>/dev/null | head -1); [ -n "$$g" ] || continue; \
	  args=$$(sed -n '1s/^\$$ kpirun scheme.kpi //p' $$g); \
	  [ -n "$$args" ] || continue; \
	  $(VALGRIND) $(KPIRUN) $$d/scheme.kpi $$args >/dev/null 2>$(BUILD)/valgrind.log || { echo "valgrind: $$d"; cat $(BUILD)/valgrind.log; fail=1; }; \
	done; \
	$(VALGRIND) $(KPIC) disasm examples/demo/scheme.kpi >/dev/null || fail=1; \
	$(VALGRIND) $(KPIRUN) examples/demo/scheme.kpi --period 2026-10 --explain E01 --format json >/dev/null || fail=1; \
	rm -rf $(BUILD)/vg-st && $(VALGRIND) $(KPIRUN) examples/demo/scheme.kpi --period 2026-10 --statements $(BUILD)/vg-st >/dev/null || fail=1; \
	$(VALGRIND) $(KPIRUN) curve examples/demo/scheme.kpi маржа >/dev/null || fail=1; \
	[ $$fail = 0 ] && echo "valgrind: clean"; exit $$fail

install: $(KPIC) $(KPIRUN)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/kpi/stdlib
	install -m 755 $(KPIC) $(KPIRUN) $(DESTDIR)$(PREFIX)/bin/
	install -m 644 stdlib/*.kpi $(DESTDIR)$(PREFIX)/share/kpi/stdlib/

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/kpic $(DESTDIR)$(PREFIX)/bin/kpirun
	rm -rf $(DESTDIR)$(PREFIX)/share/kpi

clean:
	rm -rf $(BUILD) build-asan
