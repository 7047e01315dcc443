# strobe: build, test and benchmark. `make` builds ./strobe; `make test` bootstraps, builds and runs all tests.
CC       ?= cc
PKGS      = vips jansson libcrypto libmicrohttpd sqlite3 libcurl
CFLAGS   ?= -O2 -g
WARN      = -Wall -Wextra -Wshadow -Wno-unused-parameter
# ONNX Runtime: the library from the npm package (scripts/onnxruntime.sh puts it in ORT_LIB), the C API
# headers from ../shared/vendor. Binaries find the library through their rpath (the absolute in-tree folder),
# never through LD_LIBRARY_PATH.
ORT_INC   = ../shared/vendor/onnxruntime/include
ORT_LIB   = $(CURDIR)/deps/onnxruntime/lib
ORT_SO    = $(ORT_LIB)/libonnxruntime.so.1
CPPFLAGS += -Iinclude -Isrc -isystem $(ORT_INC) -MMD -MP $(shell pkg-config --cflags $(PKGS))
LDLIBS   += $(ORT_SO) -Wl,-rpath,$(ORT_LIB) $(shell pkg-config --libs $(PKGS)) -lm -lpthread

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

.PHONY: all bootstrap run test bench bench-http clean
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

# The OpenAPI document is assembled into the library (.incbin), so it is rebuilt when the JSON changes.
$(BUILD)/src/api/openapi_blob.o: src/api/openapi_blob.S src/api/openapi.json
	@mkdir -p $(dir $@)
	$(CC) -c $< -o $@

$(BUILD)/tests/%: tests/%.c $(wildcard tests/*.h) $(LIB) $(ORT_SO)
	@mkdir -p $(dir $@)
	$(CC) -std=c17 -D_GNU_SOURCE $(WARN) $(CPPFLAGS) $(CFLAGS) -Itests $< -o $@.o -c
	$(CC) -o $@ $@.o $(LIB) $(LDLIBS) -lcriterion

# The first command of the README: install what is missing, build, serve with a development key.
run: bootstrap
	@$(MAKE) --no-print-directory strobe
	@sh scripts/run.sh

# The test command of the README: install what is missing, build, run every test binary.
test: bootstrap
	@$(MAKE) --no-print-directory strobe $(TEST_BIN)
	@sh scripts/run-tests.sh $(TEST_BIN)

bench: bootstrap
	@$(MAKE) --no-print-directory strobe
	@sh bench/run.sh

# Load benchmark of the HTTP API: bench/http_load against `strobe serve` (bench/http.sh).
bench-http: bootstrap
	@$(MAKE) --no-print-directory strobe
	@sh bench/http.sh

clean:
	rm -rf $(BUILD) strobe

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
