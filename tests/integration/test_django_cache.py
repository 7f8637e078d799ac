"""Django's cache framework (Debian python3-django) against `cachelab serve`, with both of Django's
memcached backends: PyMemcacheCache (pymemcache) and PyLibMCCache (pylibmc, libmemcached underneath).

Debian's memcached 1.6.18 runs beside cachelab; every step of the django.core.cache API is run on
both, each observed value is checked against a concrete expectation, and the two servers must agree
on every observation (the value, or the exception's type) and on the raw bytes of the stored items.
All steps of one backend run before one shared sleep, then the expiry checks run after it.

Run: python3 tests/integration/test_django_cache.py PATH_TO_cachelab
"""
import datetime
import os
import random
import sys
import time
import unittest

from cachelab_server import MEMCACHED, Memcached, Server, main, raw

HAVE_MEMCACHED = os.access(MEMCACHED, os.X_OK)
SLEEP_S = 3.1  # after it, a 2 s TTL has passed on memcached's once-a-second clock whatever its phase
BACKENDS = {
    "pymemcache": "django.core.cache.backends.memcached.PyMemcacheCache",
    "pylibmc": "django.core.cache.backends.memcached.PyLibMCCache",
}


SERVERS = {}  # "cachelab" / "memcached" -> object with .address and .stop()


def setUpModule():
    import django  # imported here: the test loader must not touch the lazy settings object
    from django.conf import settings
    cachelab = Server("-t", "2").start()

    def stop_cachelab():
        rc = cachelab.stop()
        assert rc == 0, "cachelab serve must exit 0 on SIGTERM, got %r; stderr %r" % (rc, cachelab.stderr)
    unittest.addModuleCleanup(stop_cachelab)
    SERVERS["cachelab"] = cachelab
    if HAVE_MEMCACHED:
        mc = Memcached("-t", "2").start()
        unittest.addModuleCleanup(mc.stop)
        SERVERS["memcached"] = mc
    else:
        print("\nNOTE: %s is absent: Django's cache runs against cachelab only, without the "
              "side-by-side comparison with memcached" % MEMCACHED, file=sys.stderr)
    caches = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    for backend, path in BACKENDS.items():
        for server, s in SERVERS.items():
            location = "%s:%d" % s.address
            caches["%s-%s" % (backend, server)] = {"BACKEND": path, "LOCATION": location}
            caches["%s-%s-prefixed" % (backend, server)] = {
                "BACKEND": path, "LOCATION": location, "KEY_PREFIX": "pfx", "VERSION": 3}
    settings.configure(CACHES=caches, USE_TZ=False)
    django.setup()


class Raises:
    """Expected outcome: the call raises an exception of this class name."""

    def __init__(self, name):
        self.name = name

    def __eq__(self, other):
        return isinstance(other, Raises) and other.name == self.name

    def __repr__(self):
        return "raises %s" % self.name


def outcome(thunk):
    try:
        return thunk()
    except Exception as e:  # the observation is the exception's type, compared across servers
        return Raises(type(e).__name__)


def short(v, limit=160):
    r = repr(v)
    return r if len(r) <= limit else r[:limit] + "...(%d chars)" % len(r)


class Recorder:
    """Runs each step on one (backend, server) pair, records what it saw and what it expected."""

    def __init__(self, backend, server):
        from django.core.cache import caches
        self.backend, self.server = backend, server
        self.label = "%s on %s" % (backend, server)
        self.cache = caches["%s-%s" % (backend, server)]
        self.prefixed = caches["%s-%s-prefixed" % (backend, server)]
        self.address = SERVERS[server].address
        self.seen = []      # (step, observed)
        self.failures = []  # text

    def check(self, step, thunk, expected):
        got = outcome(thunk) if callable(thunk) else thunk
        self.seen.append((step, got))
        if not (got == expected and type(got) is type(expected)):  # True is not 1, 1 is not 1.0
            self.failures.append("%s: %s: got %s, expected %s" % (self.label, step, short(got), short(expected)))
        return got

    def raw_get(self, key):
        """The server's own bytes for `key` (a fresh connection, `get`)."""
        return raw(self.address, b"get " + key + b"\r\n", until=b"END\r\n", timeout=5)

    def check_raw(self, step, key, expected_rest, present=True):
        """The server's reply to `get key`: `VALUE key ` + expected_rest (flags, length, data, END)
        when present, else `END`. Recorded too, so the two servers are compared byte for byte."""
        got = self.raw_get(key)
        self.seen.append((step, got))
        expected = b"VALUE " + key + b" " + expected_rest if present else b"END\r\n"
        if got != expected:
            self.failures.append("%s: %s: raw reply %s, expected %s" % (self.label, step, short(got), short(expected)))


def scenario(r):
    """The whole django.core.cache API on one pair. A generator: it yields once, where the caller
    sleeps SLEEP_S for all pairs together, and ends after the checks that need the sleep."""
    c, p, b = r.cache, r.prefixed, r.backend
    pylibmc = b == "pylibmc"
    rng = random.Random(16)

    # set / get with a default; None is a value like any other
    r.check("get missing", lambda: c.get("nothing"), None)
    r.check("get missing with default", lambda: c.get("nothing", "dflt"), "dflt")
    r.check("set", lambda: c.set("k", "v1"), None)
    r.check("get", lambda: c.get("k"), "v1")
    r.check("get present with default", lambda: c.get("k", "dflt"), "v1")
    r.check("set overwrites", lambda: c.set("k", "v2"), None)
    r.check("get overwritten", lambda: c.get("k"), "v2")
    r.check("set None", lambda: c.set("none", None), None)
    r.check("get None with default", lambda: c.get("none", "dflt"), None)
    r.check("set bytes", lambda: c.set("bytes", b"\x00\r\nEND\r\n\xff"), None)
    r.check("get bytes", lambda: c.get("bytes"), b"\x00\r\nEND\r\n\xff")
    r.check("set int", lambda: c.set("int", 42), None)
    r.check("get int", lambda: c.get("int"), 42)
    r.check("set float", lambda: c.set("float", 2.5), None)
    r.check("get float", lambda: c.get("float"), 2.5)
    r.check("set bool", lambda: c.set("bool", True), None)
    r.check("get bool", lambda: c.get("bool"), 1 if pylibmc else True)  # pylibmc 1.6.3 hands a bool back as 1
    r.check_raw("raw get of a str value", b":1:k", b"16 2\r\nv2\r\nEND\r\n")  # both clients: flag 16, UTF-8
    r.check_raw("raw get of an int value", b":1:int", (b"4" if pylibmc else b"2") + b" 2\r\n42\r\nEND\r\n")

    # add
    r.check("add new", lambda: c.add("a", "first"), True)
    r.check("add existing", lambda: c.add("a", "second"), False)
    r.check("get after add", lambda: c.get("a"), "first")
    r.check("set timeout 0 then add", lambda: (c.set("a0", "old", 0), c.add("a0", "new"))[1], True)
    r.check("get after add over expired", lambda: c.get("a0"), "new")
    r.check("add with timeout 0", lambda: c.add("a00", "x", 0), True)
    r.check("get after add timeout 0", lambda: c.get("a00", "gone"), "gone")
    r.check("add with 2 s timeout", lambda: c.add("a2", "x", 2), True)
    r.check("get after add 2 s", lambda: c.get("a2"), "x")

    # get_or_set
    calls = []

    def compute():
        calls.append(1)
        return "computed"
    r.check("get_or_set missing", lambda: c.get_or_set("gos", "dv"), "dv")
    r.check("get_or_set present", lambda: c.get_or_set("gos", "other"), "dv")
    r.check("get_or_set callable missing", lambda: c.get_or_set("gosc", compute), "computed")
    r.check("get_or_set callable present", lambda: c.get_or_set("gosc", compute), "computed")
    r.check("callable called once", len(calls), 1)
    r.check("get after get_or_set", lambda: c.get("gosc"), "computed")
    r.check("get_or_set None default", lambda: c.get_or_set("gosnone", None), None)
    r.check("has_key after get_or_set None", lambda: c.has_key("gosnone"), True)
    r.check("get_or_set timeout 0", lambda: c.get_or_set("gos0", "t0", 0), "t0")
    r.check("get after get_or_set timeout 0", lambda: c.get("gos0", "gone"), "gone")

    # has_key / in
    r.check("has_key present", lambda: c.has_key("k"), True)
    r.check("has_key missing", lambda: c.has_key("nothing"), False)
    r.check("in present", lambda: "k" in c, True)
    r.check("in missing", lambda: "nothing" in c, False)
    r.check("has_key other version", lambda: c.has_key("k", version=2), False)

    # delete
    r.check("delete present", lambda: c.delete("k"), True)
    r.check("get after delete", lambda: c.get("k"), None)
    r.check("delete missing", lambda: c.delete("k"), False)
    r.check_raw("raw get after delete", b":1:k", b"", present=False)

    # set_many / get_many / delete_many, small and large (more than 100 keys)
    r.check("set_many", lambda: c.set_many({"m1": 1, "m2": "two", "m3": [3]}), [])
    r.check("get_many", lambda: c.get_many(["m1", "m2", "m3", "m4"]), {"m1": 1, "m2": "two", "m3": [3]})
    r.check("get_many none", lambda: c.get_many(["x1", "x2"]), {})
    r.check("get_many empty", lambda: c.get_many([]), {})
    r.check("delete_many", lambda: c.delete_many(["m1", "m3", "m9"]), None)
    r.check("get_many after delete_many", lambda: c.get_many(["m1", "m2", "m3"]), {"m2": "two"})
    many = {"many-%03d" % i: "value-%d" % (i * i) for i in range(250)}
    asked = list(many) + ["absent-%03d" % i for i in range(60)]
    rng.shuffle(asked)
    r.check("set_many 250", lambda: c.set_many(many), [])
    r.check("get_many 310 (250 present)", lambda: c.get_many(asked), many)
    r.check("delete_many 150", lambda: c.delete_many(sorted(many)[:150]), None)
    r.check("get_many after delete_many 150", lambda: c.get_many(asked),
            {k: v for k, v in many.items() if k in sorted(many)[150:]})
    r.check("set_many versioned", lambda: c.set_many({"mv": "v2"}, version=2), [])
    r.check("get_many versioned", lambda: (c.get_many(["mv"]), c.get_many(["mv"], version=2)), ({}, {"mv": "v2"}))
    r.check("set_many timeout 0", lambda: c.set_many({"mz1": 1, "mz2": 2}, 0), [])
    r.check("get_many after set_many timeout 0", lambda: c.get_many(["mz1", "mz2"]), {})
    r.check("set_many 2 s", lambda: c.set_many({"ms1": 1, "ms2": 2}, 2), [])
    r.check("get_many after set_many 2 s", lambda: c.get_many(["ms1", "ms2"]), {"ms1": 1, "ms2": 2})

    # incr / decr
    r.check("set counter", lambda: c.set("n", 10), None)
    r.check("incr", lambda: c.incr("n"), 11)
    r.check("incr 10", lambda: c.incr("n", 10), 21)
    r.check("decr", lambda: c.decr("n"), 20)
    r.check("decr 5", lambda: c.decr("n", 5), 15)
    r.check("incr -3", lambda: c.incr("n", -3), 12)
    r.check("decr -8", lambda: c.decr("n", -8), 20)
    r.check("get counter", lambda: c.get("n"), 20)
    r.check_raw("raw counter", b":1:n", (b"4" if pylibmc else b"2") + b" 2\r\n20\r\nEND\r\n")
    r.check("decr below zero", lambda: c.decr("n", 100), 0)
    r.check("get counter at zero", lambda: c.get("n"), 0)
    r.check("incr 9 then 1 (width grows)", lambda: (c.incr("n", 9), c.incr("n", 1)), (9, 10))
    r.check("get counter grown", lambda: c.get("n"), 10)
    r.check("set counter 2^64-1", lambda: c.set("big", 2 ** 64 - 1), None)
    r.check("incr wraps at 2^64", lambda: c.incr("big"), 0)
    r.check("incr missing", lambda: c.incr("nothing"), Raises("ValueError"))
    r.check("decr missing", lambda: c.decr("nothing"), Raises("ValueError"))
    # A negative delta goes to the client's opposite command without Django's not-found check:
    # pymemcache answers None, pylibmc raises its NotFound.
    r.check("incr missing -1", lambda: c.incr("nothing", -1), Raises("NotFound") if pylibmc else None)
    r.check("decr missing -1", lambda: c.decr("nothing", -1), Raises("NotFound") if pylibmc else None)
    r.check("incr a pickled value", lambda: (c.set("pickled", [1]), c.incr("pickled"))[1],
            Raises("ClientError") if pylibmc else Raises("MemcacheClientError"))
    r.check("get pickled after failed incr", lambda: c.get("pickled"), [1])
    r.check("incr versioned", lambda: (c.set("nv", 1, version=2), c.incr("nv", 4, version=2))[1], 5)
    r.check("incr versioned wrong version", lambda: c.incr("nv"), Raises("ValueError"))

    # incr_version / decr_version
    r.check("set for versions", lambda: c.set("ver", "val"), None)
    r.check("incr_version", lambda: c.incr_version("ver"), 2)
    r.check("old version gone", lambda: c.get("ver"), None)
    r.check("new version there", lambda: c.get("ver", version=2), "val")
    r.check("incr_version by 5", lambda: c.incr_version("ver", 5, version=2), 7)
    r.check("decr_version", lambda: c.decr_version("ver", version=7), 6)
    r.check("decr_version by 5", lambda: c.decr_version("ver", 5, version=6), 1)
    r.check("back at version 1", lambda: (c.get("ver"), c.get("ver", version=2), c.get("ver", version=6)),
            ("val", None, None))
    r.check("incr_version missing", lambda: c.incr_version("nothing"), Raises("ValueError"))
    r.check("decr_version missing", lambda: c.decr_version("nothing"), Raises("ValueError"))

    # key versions and KEY_PREFIX (the prefixed cache: KEY_PREFIX "pfx", VERSION 3)
    r.check("set two versions", lambda: (c.set("vk", "one", version=1), c.set("vk", "two", version=2)), (None, None))
    r.check("get version 1 (default)", lambda: c.get("vk"), "one")
    r.check("get version 2", lambda: c.get("vk", version=2), "two")
    r.check("delete version 2", lambda: c.delete("vk", version=2), True)
    r.check("version 1 survives", lambda: (c.get("vk"), c.get("vk", version=2)), ("one", None))
    r.check("prefixed set", lambda: p.set("vk", "prefixed"), None)
    r.check("prefixed get", lambda: p.get("vk"), "prefixed")
    r.check("prefixed default version is 3", lambda: p.get("vk", version=3), "prefixed")
    r.check("unprefixed unaffected", lambda: c.get("vk"), "one")
    r.check("prefixed other version", lambda: p.get("vk", version=1), None)
    r.check_raw("raw key pfx:3:vk", b"pfx:3:vk", b"16 8\r\nprefixed\r\nEND\r\n")
    r.check_raw("raw key :1:vk", b":1:vk", b"16 3\r\none\r\nEND\r\n")
    r.check_raw("raw key :2:vk (deleted)", b":2:vk", b"", present=False)
    r.check("prefixed incr_version", lambda: (p.incr_version("vk"), p.get("vk"), p.get("vk", version=4)),
            (4, None, "prefixed"))
    r.check("prefixed has_key", lambda: (p.has_key("vk"), p.has_key("vk", version=4)), (False, True))

    # unicode keys and values
    uk, uv = "ключ-日本-é-✓", "значение ✓ 日本語 \u00e9\U0001F600"
    r.check("unicode set", lambda: c.set(uk, uv), None)
    r.check("unicode get", lambda: c.get(uk), uv)
    r.check("unicode get_many", lambda: c.get_many([uk, "nothing"]), {uk: uv})
    r.check("unicode has_key", lambda: c.has_key(uk), True)
    r.check("unicode incr", lambda: (c.set(uk + "n", 1), c.incr(uk + "n"))[1], 2)
    r.check_raw("raw unicode key (UTF-8)", (":1:" + uk).encode(),
                b"16 %d\r\n%s\r\nEND\r\n" % (len(uv.encode()), uv.encode()))
    r.check("unicode delete", lambda: (c.delete(uk), c.get(uk)), (True, None))

    # pickled objects
    when = datetime.datetime(2026, 11, 30, 21, 0, 0, 123456)
    aware = datetime.datetime(2026, 11, 30, 21, 0, 0, tzinfo=datetime.timezone.utc)
    obj = {"a": [1, 2.5, None, True], "b": {"nested": ("t", 1)}, "s": {1, 2, 3}, "when": when, "aware": aware,
           "u": uv, "bytes": b"\x00\x01"}
    r.check("pickle dict", lambda: (c.set("obj", obj), c.get("obj"))[1], obj)
    r.check("pickle list", lambda: (c.set("lst", [when, [obj], 7]), c.get("lst"))[1], [when, [obj], 7])
    r.check("pickle datetime", lambda: (c.set("dt", when), c.get("dt"))[1], when)
    r.check("pickle date", lambda: (c.set("d", when.date()), c.get("d"))[1], when.date())
    r.check("pickle in set_many", lambda: (c.set_many({"o1": obj, "o2": aware}), c.get_many(["o1", "o2"]))[1],
            {"o1": obj, "o2": aware})

    # large values (~500 KB)
    big = rng.randbytes(500 * 1024)
    bigs = "".join(rng.choice("abcdé日") for _ in range(200 * 1024))
    r.check("large bytes", lambda: (c.set("large", big), c.get("large") == big)[1], True)
    r.check("large str", lambda: (c.set("larges", bigs), c.get("larges") == bigs)[1], True)
    r.check("large in get_many", lambda: c.get_many(["large", "larges"]) == {"large": big, "larges": bigs}, True)
    r.check("large pickled", lambda: (c.set("largep", [big]), c.get("largep") == [big])[1], True)
    r.check("large add existing", lambda: c.add("large", b"small"), False)
    r.check("large unchanged", lambda: c.get("large") == big, True)

    # timeouts: 0 expires at once, None never, a positive one later, > 30 days becomes absolute
    r.check("timeout 0", lambda: (c.set("t0", "x", 0), c.get("t0", "gone"))[1], "gone")
    r.check("timeout 0 over existing", lambda: (c.set("t0b", "x"), c.set("t0b", "y", 0), c.get("t0b"))[2], None)
    r.check("timeout None", lambda: (c.set("tnone", "x", None), c.get("tnone"))[1], "x")
    r.check("timeout default", lambda: (c.set("tdef", "x"), c.get("tdef"))[1], "x")
    r.check("timeout 2 s", lambda: (c.set("t2", "x", 2), c.get("t2"))[1], "x")
    r.check("timeout 1 s", lambda: c.set("t1", "x", 1), None)
    r.check("timeout 31 days (absolute)", lambda: (c.set("t31d", "x", 31 * 86400), c.get("t31d"))[1], "x")
    r.check("timeout 1 hour", lambda: (c.set("t1h", "x", 3600), c.get("t1h"))[1], "x")

    # touch, with and without a timeout
    r.check("touch missing", lambda: c.touch("nothing", 10), False)
    r.check("touch None->2 s", lambda: (c.set("tc1", "x", None), c.touch("tc1", 2))[1], True)
    r.check("touch 2 s->default", lambda: (c.set("tc2", "x", 2), c.touch("tc2"))[1], True)
    r.check("touch 2 s->None", lambda: (c.set("tc3", "x", 2), c.touch("tc3", None))[1], True)
    r.check("touch to 0", lambda: (c.set("tc4", "x"), c.touch("tc4", 0))[1], True)
    r.check("get after touch 0", lambda: c.get("tc4", "gone"), "gone")
    r.check("touch 2 s->1 hour", lambda: (c.set("tc5", "x", 2), c.touch("tc5", 3600))[1], True)
    r.check("touch versioned", lambda: (c.set("tc6", "x", 2, version=2), c.touch("tc6", None, version=2),
                                        c.touch("tc6", None))[1:], (True, False))
    r.check("get after touches", lambda: c.get_many(["tc1", "tc2", "tc3", "tc5"]),
            {"tc1": "x", "tc2": "x", "tc3": "x", "tc5": "x"})

    # close(): the next call works again (pymemcache reconnects; pylibmc's close does nothing)
    r.check("close", lambda: c.close(), None)
    r.check("get after close", lambda: c.get("tnone"), "x")
    r.check("close prefixed", lambda: p.close(), None)

    yield  # ---- the caller sleeps SLEEP_S once for every pair

    r.check("after sleep: add 2 s gone", lambda: c.get("a2"), None)
    r.check("after sleep: add again", lambda: c.add("a2", "again"), True)
    r.check("after sleep: set_many 2 s gone", lambda: c.get_many(["ms1", "ms2"]), {})
    r.check("after sleep: timeout None kept", lambda: c.get("tnone"), "x")
    r.check("after sleep: timeout default kept", lambda: c.get("tdef"), "x")
    r.check("after sleep: timeout 2 s gone", lambda: c.get("t2", "gone"), "gone")
    r.check("after sleep: timeout 1 s gone", lambda: c.has_key("t1"), False)
    r.check("after sleep: timeout 31 days kept", lambda: c.get("t31d"), "x")
    r.check("after sleep: timeout 1 hour kept", lambda: c.get("t1h"), "x")
    r.check("after sleep: touched None->2 s gone", lambda: c.get("tc1"), None)
    r.check("after sleep: touched 2 s->default kept", lambda: c.get("tc2"), "x")
    r.check("after sleep: touched 2 s->None kept", lambda: c.get("tc3"), "x")
    r.check("after sleep: touched 2 s->1 hour kept", lambda: c.get("tc5"), "x")
    r.check("after sleep: touched versioned kept", lambda: (c.get("tc6", version=2), c.get("tc6")), ("x", None))
    r.check("after sleep: touch of expired", lambda: c.touch("t2", 100), False)
    r.check("after sleep: incr of expired", lambda: c.incr("t2"), Raises("ValueError"))
    r.check("after sleep: rest untouched", lambda: (c.get("a"), c.get("gosc"), c.get("obj"), c.get("large") == big),
            ("first", "computed", obj, True))

    # clear(): everything on the server goes, whatever the prefix or version
    r.check("clear", lambda: c.clear(), None)
    r.check("after clear: get_many", lambda: c.get_many(["a", "tnone", "tc3", "obj", "large", "m2"]), {})
    r.check("after clear: other version", lambda: c.get("nv", version=2), None)
    r.check("after clear: prefixed", lambda: p.get("vk", version=4), None)
    r.check_raw("after clear: raw", b"pfx:4:vk", b"", present=False)
    r.check("after clear: set works", lambda: (c.set("k", "after"), c.get("k"))[1], "after")
    r.check("after clear: close", lambda: (c.close(), p.close()), (None, None))


class DjangoCacheTest(unittest.TestCase):
    def setUp(self):
        for s in SERVERS.values():
            self.assertEqual(raw(s.address, b"flush_all\r\n", lines=1, timeout=5), b"OK\r\n")

    def run_backend(self, backend):
        recorders = [Recorder(backend, server) for server in SERVERS]
        runs = [scenario(r) for r in recorders]
        for run in runs:
            next(run)
        time.sleep(SLEEP_S)
        for run in runs:
            for _ in run:
                pass
        problems = []
        for r in recorders:
            problems += r.failures
        if len(recorders) == 2:
            cl, mc = recorders if recorders[0].server == "cachelab" else recorders[::-1]
            self.assertEqual([s for s, _ in cl.seen], [s for s, _ in mc.seen])
            for (step, got_cl), (_, got_mc) in zip(cl.seen, mc.seen):
                if not (got_cl == got_mc and type(got_cl) is type(got_mc)):
                    problems.append("%s: %s: cachelab %s, memcached %s" % (backend, step, short(got_cl), short(got_mc)))
        self.assertEqual(problems, [], "\n" + "\n".join(problems))
        return recorders

    def test_libmemcached_expiry_minus_one(self):
        """Raw exptime 4294967295, which PyLibMCCache sends for Django's timeout 0.

        Django passes -1, libmemcached writes its unsigned 32-bit form, 4294967295, and memcached reads exptime as a signed 32-bit number:
        -1, already expired (set and touch answer as usual, the item is gone)."""
        exchanges = [  # each ends with `mn`, whose MN closes the reply
            (b"set e 0 0 1\r\no\r\nset e 0 4294967295 1\r\nx\r\nget e\r\nmn\r\n",
             b"STORED\r\nSTORED\r\nEND\r\nMN\r\n"),
            (b"set e 0 0 1\r\no\r\ntouch e 4294967295\r\nget e\r\nmn\r\n",
             b"STORED\r\nTOUCHED\r\nEND\r\nMN\r\n"),
            # gat hands the item out, then it is expired
            (b"set e 0 0 1\r\no\r\ngat 4294967295 e\r\nget e\r\nmn\r\n",
             b"STORED\r\nVALUE e 0 1\r\no\r\nEND\r\nEND\r\nMN\r\n"),
        ]
        problems = []
        for request, expected in exchanges:
            for name, s in SERVERS.items():
                got = raw(s.address, request, until=b"MN\r\n", timeout=5)
                if got != expected:
                    problems.append("%s: sent %r, got %r, expected %r (memcached 1.6.18's reply)"
                                    % (name, request, got, expected))
        self.assertEqual(problems, [], "\n" + "\n".join(problems))

    def test_pymemcache_cache(self):
        self.run_backend("pymemcache")

    def test_pylibmc_cache(self):
        self.run_backend("pylibmc")


if __name__ == "__main__":
    main()
