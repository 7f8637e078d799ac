# The two entry points of the README. Each installs what it needs first (idempotent).
PRESET ?= release
.PHONY: deps build run test asan tsan clean
deps:
	./scripts/install-deps
build: deps
	cmake --preset $(PRESET) >/dev/null
	cmake --build --preset $(PRESET)
run: build
	./build/$(PRESET)/cachelab serve -p 11211 -l 127.0.0.1
test: build
	ctest --preset $(PRESET)
asan:
	$(MAKE) test PRESET=asan
tsan:
	$(MAKE) test PRESET=tsan
clean:
	rm -rf build
