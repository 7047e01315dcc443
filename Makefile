# strobe: build, test and benchmark. `make` builds ./strobe; `make test` bootstraps, builds and runs all tests.
CC       ?= cc
PKGS      = vips jansson libcrypto libmicrohttpd sqlite3 libpq libcurl libzip
CFLAGS   ?= -O3 -g
WARN      = -Wall -Wextra -Wshadow -Wno-unused-parameter
# ONNX Runtime: the library from the npm package (scripts/onnxruntime.sh puts it in ORT_LIB), the C API
# headers from ../shared/vendor. Binaries find the library through their rpath (the absolute in-tree folder),
# never through LD_LIBRARY_PATH.
ORT_INC   = ../shared/vendor/onnxruntime/include
ORT_LIB   = $(CURDIR)/deps/onnxruntime/lib
ORT_SO    = $(ORT_LIB)/libonnxruntime.so.1
CPPFLAGS += -Iinclude -Isrc -isystem $(ORT_INC) -MMD -MP $(shell pkg-config --cflags $(PKGS))
SYS_LIBS  = $(shell pkg-config --libs $(PKGS)) -lm -lpthread
LDLIBS   += $(ORT_SO) -Wl,-rpath,$(ORT_LIB) $(SYS_LIBS)

BUILD    = build
LIB_C    = $(wildcard $(addsuffix /*.c,$(addprefix src/,util image nn vision render pipeline net store jobs http api)))
LIB_ASM  = $(wildcard src/api/*.S)
CLI_C    = $(wildcard src/cli/*.c)
LIB_OBJ  = $(LIB_C:%.c=$(BUILD)/%.o) $(LIB_ASM:%.S=$(BUILD)/%.o)
CLI_OBJ  = $(CLI_C:%.c=$(BUILD)/%.o)
LIB      = $(BUILD)/libstrobe.a

UNIT_SRC = $(wildcard tests/unit/test_*.c)
INTEG_SRC= $(wildcard tests/integration/test_*.c)
TEST_BIN = $(UNIT_SRC:tests/%.c=$(BUILD)/tests/%) $(INTEG_SRC:tests/%.c=$(BUILD)/tests/%)

.PHONY: all bootstrap run test bench bench-http sheets clean fuzz fuzz-build asan install uninstall
all: strobe

bootstrap:
	@sh scripts/bootstrap.sh

strobe: $(CLI_OBJ) $(LIB) $(ORT_SO)
	$(CC) -o $@ $(CLI_OBJ) $(LIB) $(LDLIBS)

# The ONNX Runtime library (idempotent; offline once its npm tarball is in the cache).
$(ORT_SO):
	@sh scripts/onnxruntime.sh

$(LIB): $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) -std=c17 -D_GNU_SOURCE $(WARN) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

# The OpenAPI document and the demo page (web/) are assembled into the library (.incbin): each blob
# object is rebuilt when a file it includes changes.
WEB_FILES = $(wildcard web/*)
$(BUILD)/%.o: %.S
	@mkdir -p $(dir $@)
	$(CC) -c $< -o $@
$(BUILD)/src/api/openapi_blob.o: src/api/openapi.json
$(BUILD)/src/api/web_blob.o: $(WEB_FILES)

$(BUILD)/tests/%: tests/%.c $(wildcard tests/*.h) $(LIB) $(ORT_SO)
	@mkdir -p $(dir $@)
	$(CC) -std=c17 -D_GNU_SOURCE $(WARN) $(CPPFLAGS) $(CFLAGS) -Itests $< -o $@.o -c
	$(CC) -o $@ $@.o $(LIB) $(LDLIBS) -lcriterion

# ---- Install (docs/internals/cli.md, "Install and run as a service") ----
# PREFIX/bin/strobe is linked again with an $ORIGIN-relative rpath so it finds the ONNX Runtime library
# installed beside it in PREFIX/lib/strobe, wherever the tree is moved; models are looked up in
# PREFIX/share/strobe/models (BINDIR/../share/strobe/models) after $STROBE_MODELS, ./models, ../shared/models.
PREFIX    ?= /usr/local
SYSCONFDIR?= /etc
BINDIR     = $(PREFIX)/bin
ORTDIR     = $(PREFIX)/lib/strobe
DATADIR    = $(PREFIX)/share/strobe
MANDIR     = $(PREFIX)/share/man/man1
UNITDIR    = $(PREFIX)/lib/systemd/system

$(BUILD)/strobe-installed: $(CLI_OBJ) $(LIB) $(ORT_SO)
	$(CC) -o $@ $(CLI_OBJ) $(LIB) $(ORT_SO) -Wl,-rpath,'$$ORIGIN/../lib/strobe' $(SYS_LIBS)

install: $(BUILD)/strobe-installed
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(ORTDIR) $(DESTDIR)$(DATADIR)/models $(DESTDIR)$(MANDIR) \
		$(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSCONFDIR)/strobe
	install -m 0755 $(BUILD)/strobe-installed $(DESTDIR)$(BINDIR)/strobe
	install -m 0644 $(ORT_SO) $(DESTDIR)$(ORTDIR)/
	install -m 0644 docs/strobe.1 $(DESTDIR)$(MANDIR)/strobe.1
	install -m 0644 dist/strobe.env $(DESTDIR)$(DATADIR)/strobe.env.example
	sed 's|@BINDIR@|$(BINDIR)|g; s|@DATADIR@|$(DATADIR)|g; s|@SYSCONFDIR@|$(SYSCONFDIR)|g' dist/strobe.service \
		> $(DESTDIR)$(UNITDIR)/strobe.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/strobe.service
	test -e $(DESTDIR)$(SYSCONFDIR)/strobe/strobe.env || \
		sed 's|@DATADIR@|$(DATADIR)|g' dist/strobe.env > $(DESTDIR)$(SYSCONFDIR)/strobe/strobe.env
	if [ -d web ]; then install -d $(DESTDIR)$(DATADIR)/web && cp -R web/. $(DESTDIR)$(DATADIR)/web/; fi
	@echo "installed under $(DESTDIR)$(PREFIX); copy the models into $(DATADIR)/models (see docs/internals/cli.md)"

# Removes what install put there, but not the models copied in, nor $(SYSCONFDIR)/strobe/strobe.env (edited
# by the owner) nor the state directory.
uninstall:
	rm -f $(DESTDIR)$(BINDIR)/strobe $(DESTDIR)$(ORTDIR)/libonnxruntime.so.1 $(DESTDIR)$(MANDIR)/strobe.1 \
		$(DESTDIR)$(UNITDIR)/strobe.service $(DESTDIR)$(DATADIR)/strobe.env.example
	rm -rf $(DESTDIR)$(DATADIR)/web
	-rmdir $(DESTDIR)$(ORTDIR) $(DESTDIR)$(DATADIR)/models $(DESTDIR)$(DATADIR) 2>/dev/null

# The first command of the README: install what is missing, build, serve with a development key.
run: bootstrap
	@$(MAKE) --no-print-directory strobe
	@sh scripts/run.sh

# The test command of the README: install what is missing (and s3rver, the tests' S3 server), build, run
# every test binary, then the unit suite again under ASan + UBSan and every fuzz target for a short smoke run (FUZZ_SMOKE_SECONDS each).
test: bootstrap
	@sh scripts/s3rver.sh
	@$(MAKE) --no-print-directory strobe $(TEST_BIN) $(ASAN_TEST_BIN) $(FUZZ_BIN)
	@sh scripts/run-tests.sh $(TEST_BIN) $(ASAN_TEST_BIN) $(FUZZ_BIN)

bench: bootstrap
	@$(MAKE) --no-print-directory strobe
	@sh bench/run.sh

# Load benchmark of the HTTP API: bench/http_load against `strobe serve` (bench/http.sh).
bench-http: bootstrap
	@$(MAKE) --no-print-directory strobe
	@sh bench/http.sh

# Contact sheets of the people products, the product shots and every product on every scene (KINDS=scenes
# for those alone) on the real photos under build/sheets/
# (scripts/sheets.sh), to look at.
sheets: bootstrap
	@$(MAKE) --no-print-directory strobe $(BUILD)/bench/sheet
	@sh scripts/sheets.sh ./strobe

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD) strobe

# ---- Sanitizer builds (docs/internals/testing.md, "Sanitizers and fuzzing") ----
# The library built again with clang under AddressSanitizer + UndefinedBehaviorSanitizer, in its own folder:
# build-asan/ for the unit suite, build-fuzz/ (plus libFuzzer's coverage) for the fuzz targets in fuzz/.
# Third-party libraries (libvips, ONNX Runtime, ...) are the system's, not instrumented.
SAN_CC    = clang
SAN_FLAGS = -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
ASAN_BUILD= build-asan
FUZZ_BUILD= build-fuzz
ASAN_TEST_BIN = $(UNIT_SRC:tests/%.c=$(ASAN_BUILD)/tests/%)
FUZZ_SRC  = $(wildcard fuzz/fuzz_*.c)
FUZZ_BIN  = $(FUZZ_SRC:fuzz/%.c=$(FUZZ_BUILD)/%)
FUZZ_SECONDS ?= 60

# $(1): build folder, $(2): extra compiler flags. One instrumented libstrobe.a per folder.
define SAN_LIB
$(1)/%.o: %.c
	@mkdir -p $$(dir $$@)
	$(SAN_CC) -std=c17 -D_GNU_SOURCE $(WARN) $(CPPFLAGS) $(SAN_FLAGS) $(2) -c $$< -o $$@

$(1)/%.o: %.S
	@mkdir -p $$(dir $$@)
	$(SAN_CC) -c $$< -o $$@
$(1)/src/api/openapi_blob.o: src/api/openapi.json
$(1)/src/api/web_blob.o: $(WEB_FILES)

$(1)/libstrobe.a: $(LIB_C:%.c=$(1)/%.o) $(LIB_ASM:%.S=$(1)/%.o)
	@rm -f $$@
	$(AR) rcs $$@ $$^

-include $(LIB_C:%.c=$(1)/%.d)
endef
$(eval $(call SAN_LIB,$(ASAN_BUILD),))
$(eval $(call SAN_LIB,$(FUZZ_BUILD),-fsanitize=fuzzer-no-link))

# The unit suite (not integration) under the sanitizers; run by `make test` or alone with `make asan`.
$(ASAN_BUILD)/tests/%: tests/%.c $(wildcard tests/*.h) $(ASAN_BUILD)/libstrobe.a $(ORT_SO)
	@mkdir -p $(dir $@)
	$(SAN_CC) -std=c17 -D_GNU_SOURCE $(WARN) $(CPPFLAGS) $(SAN_FLAGS) -Itests -c $< -o $@.o
	$(SAN_CC) $(SAN_FLAGS) -o $@ $@.o $(ASAN_BUILD)/libstrobe.a $(LDLIBS) -lcriterion

asan: bootstrap
	@$(MAKE) --no-print-directory strobe $(ASAN_TEST_BIN)
	@sh scripts/run-tests.sh $(ASAN_TEST_BIN)

# One libFuzzer binary per fuzz/fuzz_*.c (a target may #include the .c under test to reach its statics).
$(FUZZ_BUILD)/fuzz_%: fuzz/fuzz_%.c $(wildcard fuzz/*.h) $(FUZZ_BUILD)/libstrobe.a $(ORT_SO)
	@mkdir -p $(dir $@)
	$(SAN_CC) -std=c17 -D_GNU_SOURCE $(WARN) $(CPPFLAGS) $(SAN_FLAGS) -fsanitize=fuzzer -Ifuzz -c $< -o $@.o
	$(SAN_CC) $(SAN_FLAGS) -fsanitize=fuzzer -o $@ $@.o $(FUZZ_BUILD)/libstrobe.a $(LDLIBS)

fuzz-build: $(FUZZ_BIN)

# Every target for FUZZ_SECONDS (default 60) under nice, new inputs in build-fuzz/corpus/<target>/,
# crashes in build-fuzz/artifacts/. FUZZ_TARGETS="parse url" runs only those.
fuzz: bootstrap
	@$(MAKE) --no-print-directory $(FUZZ_BIN)
	@sh scripts/run-fuzz.sh $(FUZZ_SECONDS) $(if $(FUZZ_TARGETS),$(FUZZ_TARGETS:%=$(FUZZ_BUILD)/fuzz_%),$(FUZZ_BIN))

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d)

# Every bench/*.c is one program linked against the library (measuring tools: headshot and avatar
# timing, likeness, safety, quality and cartoon calibration), except the load generator below.
$(BUILD)/bench/%: bench/%.c $(LIB) $(ORT_SO)
	@mkdir -p $(dir $@)
	$(CC) -std=c17 -D_GNU_SOURCE $(WARN) $(CPPFLAGS) $(CFLAGS) -c $< -o $@.o
	$(CC) -o $@ $@.o $(LIB) $(LDLIBS)

# The load generator needs only libcurl and jansson, not the library.
$(BUILD)/bench/http_load: bench/http_load.c
	@mkdir -p $(dir $@)
	$(CC) -std=c17 -D_GNU_SOURCE $(WARN) $(CPPFLAGS) $(CFLAGS) $< -o $@ $(shell pkg-config --libs libcurl jansson) -lpthread
