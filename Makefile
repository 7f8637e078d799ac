# The two entry points of the README. Each installs what it needs first (idempotent).
PRESET ?= release
.PHONY: deps build run test asan tsan tsan-server fuzz clean
deps:
	./scripts/install-deps
build: deps
	cmake --preset $(PRESET) >/dev/null
	cmake --build --preset $(PRESET)
run: build
	./build/$(PRESET)/cachelab serve -p 11211 -l 127.0.0.1
# CTEST_ARGS: extra ctest arguments (.ci/run leaves the slowest simulator-only scripts out of
# the ASan run; their C++ is covered there by the unit tests).
test: build
	ctest --preset $(PRESET) $(CTEST_ARGS)
asan:
	$(MAKE) test PRESET=asan
tsan:
	$(MAKE) test PRESET=tsan
# The server's tests under ThreadSanitizer: the protocol layer, the sharded store and every test
# that drives `cachelab serve` with real clients (on the epoll engine too: those that load many
# connections or threads; the byte-for-byte scripts run on epoll in the release run).
SERVER_TESTS = ^(parser|executor|meta|binary|fuzz|sharded store|trace recorder|auth (table|gate)|suboptions)|^integration\.test_(concurrency|eviction|limits|memccapable|policy_module_serve|pymemcache|python_memcached|memcached_differential|memcached_differential_evict|binary_differential|django_cache|security_defaults|serve_robustness|snapshot_faults|stress|trace_capture|twemproxy|warm_restart|io_engine|tls|tls_stress|auth)$$|^integration\.epoll\.test_(pymemcache|memccapable|concurrency|stress|tls|tls_stress)$$|^connection core|^tls session|^session:
tsan-server: deps
	cmake --preset tsan >/dev/null
	cmake --build --preset tsan
	CACHELAB_DIFF_COUNT=30000 ctest --preset tsan -R '$(SERVER_TESTS)'
# Every libFuzzer target for FUZZ_SECONDS each (clang, ASan+UBSan; build/fuzz). One target:
# scripts/fuzz TARGET SECONDS.
FUZZ_SECONDS ?= 60
fuzz: deps
	./scripts/fuzz all $(FUZZ_SECONDS)
clean:
	rm -rf build
