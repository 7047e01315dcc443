# strobe: build, test and benchmark. `make` builds ./strobe; `make test` bootstraps, builds and runs all tests.
CC       ?= cc
CXX      ?= c++
PKGS      = vips opencv4 jansson libcrypto
CFLAGS   ?= -O2 -g
CXXFLAGS ?= -O2 -g
WARN      = -Wall -Wextra -Wshadow -Wno-unused-parameter
CPPFLAGS += -Iinclude -Isrc -MMD -MP $(shell pkg-config --cflags $(PKGS))
LDLIBS   += $(shell pkg-config --libs $(PKGS)) -lm -lpthread

BUILD    = build
LIB_C    = $(wildcard src/util/*.c src/image/*.c src/nn/*.c src/vision/*.c src/render/*.c src/pipeline/*.c)
LIB_CXX  = $(wildcard src/nn/*.cpp)
CLI_C    = $(wildcard src/cli/*.c)
LIB_OBJ  = $(LIB_C:%.c=$(BUILD)/%.o) $(LIB_CXX:%.cpp=$(BUILD)/%.o)
CLI_OBJ  = $(CLI_C:%.c=$(BUILD)/%.o)
LIB      = $(BUILD)/libstrobe.a

UNIT_SRC = $(wildcard tests/unit/test_*.c)
INTEG_SRC= $(wildcard tests/integration/test_*.c)
TEST_BIN = $(UNIT_SRC:tests/%.c=$(BUILD)/tests/%) $(INTEG_SRC:tests/%.c=$(BUILD)/tests/%)

.PHONY: all bootstrap test bench clean
all: strobe

bootstrap:
	@sh scripts/bootstrap.sh

strobe: $(CLI_OBJ) $(LIB)
	$(CXX) -o $@ $(CLI_OBJ) $(LIB) $(LDLIBS)

$(LIB): $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) -std=c17 -D_GNU_SOURCE $(WARN) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(BUILD)/%.o: %.cpp
	@mkdir -p $(dir $@)
	$(CXX) -std=c++17 $(WARN) $(CPPFLAGS) $(CXXFLAGS) -c $< -o $@

$(BUILD)/tests/%: tests/%.c tests/testutil.h $(LIB)
	@mkdir -p $(dir $@)
	$(CC) -std=c17 -D_GNU_SOURCE $(WARN) $(CPPFLAGS) $(CFLAGS) -Itests $< -o $@.o -c
	$(CXX) -o $@ $@.o $(LIB) $(LDLIBS) -lcriterion

# The test command of the README: install what is missing, build, run every test binary.
test: bootstrap
	@$(MAKE) --no-print-directory strobe $(TEST_BIN)
	@sh scripts/run-tests.sh $(TEST_BIN)

bench: bootstrap
	@$(MAKE) --no-print-directory strobe
	@sh bench/run.sh

clean:
	rm -rf $(BUILD) strobe

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d)

$(BUILD)/bench/bench_headshot: bench/bench_headshot.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) -std=c17 -D_GNU_SOURCE $(WARN) $(CPPFLAGS) $(CFLAGS) -c $< -o $@.o
	$(CXX) -o $@ $@.o $(LIB) $(LDLIBS)
