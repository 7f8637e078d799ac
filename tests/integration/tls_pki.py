"""Certificates for the TLS tests, made at test time with the `openssl` command, and a launcher for
`cachelab serve -Z` with several listeners (the shared Server launcher binds one).

Pki(dir): a CA, a server certificate it signed (for 127.0.0.1 and localhost), a second server
certificate from the same CA (for refresh_certs), a client certificate it signed, and a client
certificate from another CA. EC P-256 keys: quick to make.
"""
import os
import re
import shutil
import signal
import ssl
import subprocess
import tempfile
import warnings

from cachelab_server import READY_TIMEOUT_S, STOP_TIMEOUT_S, Server, binary, free_port

OPENSSL = shutil.which("openssl") or "/usr/bin/openssl"


def _run(*args):
    subprocess.run([OPENSSL] + list(args), check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


class Pki:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="cachelab-tls-")
        os.chmod(self.dir, 0o755)  # memcached, run as nobody under root, reads these too
        self.ca = self._ca("ca", "cachelab test CA")
        self.other_ca = self._ca("other-ca", "another CA")
        self.server = self._leaf("server", "127.0.0.1", "ca", server=True)
        self.server2 = self._leaf("server2", "127.0.0.1", "ca", server=True)
        self.client = self._leaf("client", "cachelab client", "ca")
        self.stranger = self._leaf("stranger", "stranger", "other-ca")
        for name in os.listdir(self.dir):
            os.chmod(self.path(name), 0o644)

    def path(self, name):
        return os.path.join(self.dir, name)

    def _ca(self, name, cn):
        _run("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
             "-keyout", self.path(name + ".key"), "-out", self.path(name + ".crt"), "-days", "2",
             "-subj", "/CN=" + cn, "-addext", "basicConstraints=critical,CA:TRUE",
             "-addext", "keyUsage=critical,keyCertSign,cRLSign")
        return (self.path(name + ".crt"), self.path(name + ".key"))

    def _leaf(self, name, cn, ca, server=False):
        key, csr, crt = (self.path(name + ext) for ext in (".key", ".csr", ".crt"))
        _run("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", key,
             "-out", csr, "-subj", "/CN=" + cn)
        ext = self.path(name + ".ext")
        with open(ext, "w") as f:
            if server:
                f.write("subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n")
            else:
                f.write("extendedKeyUsage=clientAuth\n")
        _run("x509", "-req", "-in", csr, "-CA", self.path(ca + ".crt"), "-CAkey", self.path(ca + ".key"),
             "-CAcreateserial", "-out", crt, "-days", "2", "-extfile", ext)
        return (crt, key)

    def server_opts(self, chain=None, key=None, extra=""):
        chain = chain or self.server[0]
        key = key or self.server[1]
        text = "ssl_chain_cert=%s,ssl_key=%s,ssl_ca_cert=%s" % (chain, key, self.ca[0])
        return ["-Z", "-o", text + ("," + extra if extra else "")]

    def client_context(self, cert=None, trust=True, max_version=None):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        if trust:
            ctx.load_verify_locations(self.ca[0])
        else:
            ctx.load_default_certs()
        if cert:
            ctx.load_cert_chain(*cert)
        if max_version:
            with warnings.catch_warnings():  # TLS 1.0 and 1.1 are deprecated: asked for on purpose
                warnings.simplefilter("ignore", DeprecationWarning)
                ctx.minimum_version = ssl.TLSVersion.TLSv1
                ctx.maximum_version = max_version
            ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
        return ctx

    def close(self):
        shutil.rmtree(self.dir, ignore_errors=True)


class MultiServer(Server):
    """cachelab serve with its own -l list (ports chosen here) and any flags; `ports[i]` is the
    port of the i-th listener, in the order given."""

    def __init__(self, listeners, *args, engine=None):
        """listeners: e.g. ["127.0.0.1", "notls:127.0.0.1"], each gets a free port."""
        super().__init__(*args)
        self.ports = [free_port() for _ in listeners]
        self.listen = ",".join("%s:%d" % (l, p) for l, p in zip(listeners, self.ports))
        self.engine = engine
        self.port = self.ports[0]

    def start(self):
        cmd = [binary(), "serve", "-l", self.listen] + self.args
        engine = self.engine or os.environ.get("CACHELAB_IO_ENGINE")
        if engine:
            cmd += ["--io-engine", engine]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        line = self._read_line(self.proc.stdout, READY_TIMEOUT_S)
        if not line.startswith("cachelab listening on "):
            self.stop()
            raise AssertionError("ready line %r; stderr: %r" % (line, self.stderr))
        self.ready_line = line
        return self

    def __exit__(self, *exc):
        """Stops the server; unless the block failed, it must exit 0 (and, in sanitizer builds,
        without a report)."""
        rc = self.stop()
        if exc[0] is None and rc != 0:
            raise AssertionError("server exit code %r; stderr: %s" % (rc, self.stderr.decode(errors="replace")[-3000:]))

    def address_of(self, i):
        return ("127.0.0.1", self.ports[i])


def run_start_failure(args, timeout=STOP_TIMEOUT_S):
    """Runs `cachelab serve ARGS` expecting it not to start: (exit code, stderr text)."""
    listen = [] if "-l" in args else ["-l", "127.0.0.1"]
    proc = subprocess.run([binary(), "serve", "-p", str(free_port())] + listen + args,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
    return proc.returncode, proc.stderr.decode(errors="replace")


__all__ = ["Pki", "MultiServer", "run_start_failure", "signal", "re"]
