// spymemcached (Debian's libspymemcached-java) in binary mode against one server: each check's
// answer on a line, for tests/integration/test_binary_clients.py to compare between memcached
// and cachelab.   java -cp spymemcached.jar:. SpyCheck PORT [USER PASSWORD]
import java.util.Arrays;
import java.util.TreeMap;
import net.spy.memcached.AddrUtil;
import net.spy.memcached.CASValue;
import net.spy.memcached.ConnectionFactoryBuilder;
import net.spy.memcached.MemcachedClient;
import net.spy.memcached.auth.AuthDescriptor;

public class SpyCheck {
  interface Check {
    Object run() throws Exception;
  }

  static void check(String name, Check f) {
    Object v;
    try {
      v = f.run();
    } catch (Exception e) {
      v = "raised " + e.getClass().getSimpleName();
    }
    System.out.println(name + " => " + v);
  }

  static String repeat(char c, int n) {
    char[] a = new char[n];
    Arrays.fill(a, c);
    return new String(a);
  }

  public static void main(String[] args) throws Exception {
    ConnectionFactoryBuilder b = new ConnectionFactoryBuilder()
        .setProtocol(ConnectionFactoryBuilder.Protocol.BINARY).setOpTimeout(3000);
    if (args.length == 3) b.setAuthDescriptor(AuthDescriptor.typical(args[1], args[2]));
    MemcachedClient c = new MemcachedClient(b.build(), AddrUtil.getAddresses("127.0.0.1:" + args[0]));
    try {
      check("flush", () -> c.flush().get());
      check("set/get", () -> Arrays.asList(c.set("a", 0, "1").get(), c.get("a")));
      check("getBulk", () -> new TreeMap<>(c.getBulk("a", "none")));
      check("add", () -> Arrays.asList(c.add("a", 0, "x").get(), c.add("c", 0, "3").get()));
      check("replace", () -> Arrays.asList(c.replace("nope", 0, "x").get(), c.replace("c", 0, "33").get(), c.get("c")));
      check("append", () -> Arrays.asList(c.append(0, "c", "4").get(), c.prepend(0, "c", "2").get(), c.get("c"),
                                          c.append(0, "nope", "x").get()));
      check("cas", () -> {
        CASValue<Object> v = c.gets("a");
        return Arrays.asList(c.cas("a", v.getCas(), "new"), c.cas("a", v.getCas(), "newer"), c.get("a"));
      });
      check("incr", () -> Arrays.asList(c.incr("n", 5, 10), c.incr("n", 5), c.decr("n", 100), c.incr("missing", 1)));
      check("incr non-numeric", () -> c.incr("a", 1));
      check("delete", () -> Arrays.asList(c.delete("a").get(), c.delete("a").get()));
      check("touch", () -> Arrays.asList(c.touch("c", 100).get(), c.touch("nope", 100).get()));
      check("gat", () -> c.getAndTouch("c", 100).getValue());
      check("500KB", () -> Arrays.asList(c.set("big", 0, repeat('v', 500000)).get(), ((String) c.get("big")).length()));
      check("key 250", () -> Arrays.asList(c.set(repeat('k', 250), 0, "x").get(), c.get(repeat('k', 250))));
      check("version", () -> c.getVersions().values());
      check("stats", () -> c.getStats().values().iterator().next().containsKey("curr_items"));
    } finally {
      c.shutdown();
    }
  }
}
