package io.graceful.e2e;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiPredicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A fault-injecting HTTPS proxy in front of the real kube-apiserver, on 127.0.0.1 only. The operator's kubeconfig
 * points at it instead of the API server ({@link #kubeconfig}); it presents the API server's own serving certificate
 * (SAN 127.0.0.1, signed by the control plane's CA), so the operator's client cannot tell it from the real server.
 *
 * <p>It works at the byte level and parses only what it must: the HTTP/1.1 request line and headers. It offers no
 * ALPN, so the JDK client speaks HTTP/1.1 (never h2). Each request is forwarded on a fresh TLS connection to the API
 * server with {@code Connection: close} (a websocket upgrade keeps its own {@code Connection: Upgrade}), then both
 * directions are raw byte pipes until either side closes: request bodies, streamed watch responses and upgraded
 * (101) websocket watches pass through unchanged, without the proxy having to frame them.
 *
 * <p>A request matching an armed rule ({@link #lose}) is forwarded and the API server applies it; the proxy reads the
 * whole real response (so the write is committed before anything happens next) and then does not return it: it
 * answers {@code 500} ({@link Loss#ERROR_500}) or resets the connection ({@link Loss#DROP}). Every lost response is
 * recorded ({@link #lost}) with the status the API server really gave. Optionally every watch stream then lags
 * (delivers nothing for a while), so the client's cache learns of the committed write late.
 */
final class LossyProxy implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LossyProxy.class);
  private static final int MAX_HEAD = 64 * 1024;
  private static final int MAX_CAPTURED = 16 * 1024 * 1024;
  private static final int HEAD_TIMEOUT_MILLIS = 30_000;
  private static final int LOST_RESPONSE_TIMEOUT_MILLIS = 30_000;
  private static final Pattern SERVER = Pattern.compile("(?m)^(\\s*server:\\s*)(\\S+)\\s*$");
  private static final Pattern STATUS_LINE = Pattern.compile("^HTTP/1\\.[01] (\\d{3})");

  /** How a response is lost after the API server committed the request. */
  enum Loss {
    /** the client gets {@code 500 Internal Server Error} instead of the real answer */
    ERROR_500,
    /** the client's connection is reset without any answer */
    DROP
  }

  /** A response the proxy kept from the client: the request, and what the API server really answered. */
  record Lost(String method, String path, int upstreamStatus, Loss how, long atNanos) {}

  /**
   * What to lose: requests matching {@code matches(method, path)}, {@code remaining} more of them; {@code watchLag}
   * holds back every watch response stream that long from the moment a lost request is forwarded.
   */
  private record Rule(BiPredicate<String, String> matches, Loss how, AtomicInteger remaining, long watchLagNanos) {}

  private final SSLServerSocket server;
  private final SSLContext upstreamTls;
  private final InetSocketAddress upstream;
  private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "lossy-proxy");
    t.setDaemon(true);
    return t;
  });
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final AtomicReference<Rule> rule = new AtomicReference<>();
  private final List<Lost> lost = new CopyOnWriteArrayList<>();
  private final AtomicInteger forwarded = new AtomicInteger();
  /** System.nanoTime() until which watch streams hold their bytes back (a lagging watch); 0 when none. */
  private volatile long watchesHeldUntil;
  private volatile boolean closed;

  private LossyProxy(SSLServerSocket server, SSLContext upstreamTls, InetSocketAddress upstream) {
    this.server = server;
    this.upstreamTls = upstreamTls;
    this.upstream = upstream;
  }

  /** A proxy for the control plane's API server, presenting its serving certificate. */
  static LossyProxy start(ControlPlane cp) {
    try {
      Path pki = cp.state().resolve("pki");
      URI api = URI.create(serverOf(Files.readString(cp.adminKubeconfig())));
      X509Certificate serving = certificate(pki.resolve("apiserver.crt"));
      X509Certificate ca = certificate(pki.resolve("ca.crt"));
      PrivateKey key = privateKey(pki.resolve("apiserver.key"));

      KeyStore keys = KeyStore.getInstance("PKCS12");
      keys.load(null, null);
      char[] password = "proxy".toCharArray();
      keys.setKeyEntry("serving", key, password, new Certificate[] {serving, ca});
      KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(keys, password);
      SSLContext serverTls = SSLContext.getInstance("TLS");
      serverTls.init(kmf.getKeyManagers(), null, null);

      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      trust.setCertificateEntry("ca", ca);
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      SSLContext clientTls = SSLContext.getInstance("TLS");
      clientTls.init(null, tmf.getTrustManagers(), null);

      SSLServerSocket socket = (SSLServerSocket) serverTls.getServerSocketFactory().createServerSocket();
      // no ALPN protocols are set: the handshake never selects h2, so every client speaks HTTP/1.1 here
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
      LossyProxy proxy = new LossyProxy(socket, clientTls, new InetSocketAddress(api.getHost(), api.getPort()));
      proxy.threads.execute(proxy::acceptLoop);
      LOG.info("lossy proxy on https://127.0.0.1:{} in front of {}", socket.getLocalPort(), api);
      return proxy;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot set up the proxy's TLS from " + cp.state().resolve("pki"), e);
    }
  }

  int port() {
    return server.getLocalPort();
  }

  String url() {
    return "https://127.0.0.1:" + port();
  }

  /**
   * A copy of {@code kubeconfig} (same CA, same credentials) whose server is this proxy, written to {@code target}.
   */
  Path kubeconfig(Path kubeconfig, Path target) {
    try {
      String text = Files.readString(kubeconfig);
      Matcher m = SERVER.matcher(text);
      if (!m.find()) {
        throw new IllegalStateException("no server: line in " + kubeconfig);
      }
      Files.writeString(target, m.replaceFirst(Matcher.quoteReplacement(m.group(1) + url())));
      return target;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * From now on, the responses to the next {@code count} requests matching {@code which(method, path)} are lost after
   * the API server committed them. Replaces an earlier rule.
   */
  void lose(BiPredicate<String, String> which, Loss how, int count) {
    lose(which, how, count, java.time.Duration.ZERO);
  }

  /**
   * The same, and every watch stream (websocket or chunked) delivers nothing for {@code watchLag} from the moment a
   * lost request is forwarded: the client's cache learns of the committed write only that much later.
   */
  void lose(BiPredicate<String, String> which, Loss how, int count, java.time.Duration watchLag) {
    rule.set(new Rule(which, how, new AtomicInteger(count), watchLag.toNanos()));
  }

  /** The responses lost so far, in order. */
  List<Lost> lost() {
    return List.copyOf(lost);
  }

  /** Requests forwarded so far (lost ones included). */
  int forwarded() {
    return forwarded.get();
  }

  @Override
  public void close() {
    closed = true;
    closeQuietly(server);
    open.forEach(LossyProxy::closeQuietly);
    threads.shutdownNow();
  }

  private void acceptLoop() {
    while (!closed) {
      try {
        Socket client = server.accept();
        open.add(client);
        threads.execute(() -> handle(client));
      } catch (IOException e) {
        if (!closed) {
          LOG.warn("proxy accept failed: {}", e.toString());
        }
      } catch (java.util.concurrent.RejectedExecutionException e) {
        return;
      }
    }
  }

  private void handle(Socket client) {
    Socket up = null;
    try {
      client.setSoTimeout(HEAD_TIMEOUT_MILLIS);
      InputStream fromClient = client.getInputStream();
      byte[] head = readHead(fromClient);
      if (head == null) {
        return;
      }
      String headText = new String(head, StandardCharsets.ISO_8859_1);
      String[] lines = headText.split("\r\n");
      String[] requestLine = lines[0].split(" ");
      if (requestLine.length != 3) {
        throw new IOException("not an HTTP/1.x request line: " + lines[0]);
      }
      String method = requestLine[0];
      String target = requestLine[1];
      String path = target.contains("?") ? target.substring(0, target.indexOf('?')) : target;
      boolean upgrade = false;
      StringBuilder out = new StringBuilder(lines[0]).append("\r\n");
      for (int i = 1; i < lines.length; i++) {
        String name = lines[i].contains(":") ? lines[i].substring(0, lines[i].indexOf(':')).trim()
            .toLowerCase(Locale.ROOT) : "";
        if (name.equals("upgrade")) {
          upgrade = true;
        }
      }
      for (int i = 1; i < lines.length; i++) {
        String line = lines[i];
        if (line.isEmpty()) {
          continue;
        }
        String name = line.contains(":") ? line.substring(0, line.indexOf(':')).trim().toLowerCase(Locale.ROOT) : "";
        if (!upgrade && (name.equals("connection") || name.equals("keep-alive") || name.equals("proxy-connection"))) {
          continue;
        }
        out.append(line).append("\r\n");
      }
      if (!upgrade) {
        out.append("Connection: close\r\n");
      }
      out.append("\r\n");

      Rule r = rule.get();
      boolean lose = !upgrade && r != null && r.matches().test(method, path)
          && r.remaining().getAndUpdate(n -> Math.max(0, n - 1)) > 0;
      boolean watch = method.equals("GET") && target.matches(".*[?&]watch=(true|1)(&.*)?");
      if (lose && r.watchLagNanos() > 0) {
        watchesHeldUntil = System.nanoTime() + r.watchLagNanos();
        LOG.info("holding back every watch stream for {} ms", r.watchLagNanos() / 1_000_000);
      }

      SSLSocket s = (SSLSocket) upstreamTls.getSocketFactory().createSocket();
      up = s;
      open.add(up);
      SSLParameters params = s.getSSLParameters();
      params.setEndpointIdentificationAlgorithm("HTTPS");
      s.setSSLParameters(params);
      s.connect(upstream, 10_000);
      s.setSoTimeout(lose ? LOST_RESPONSE_TIMEOUT_MILLIS : 0);
      OutputStream toUpstream = s.getOutputStream();
      toUpstream.write(out.toString().getBytes(StandardCharsets.ISO_8859_1));
      toUpstream.flush();
      forwarded.incrementAndGet();
      // request body (and, after a 101, the client's websocket frames): a raw pipe until either side closes
      client.setSoTimeout(0);
      Socket upstreamSocket = up;
      // the stream taken here, not in the pipe's thread: by the time that thread runs, a lost response may already
      // have closed the upstream socket, and asking a closed socket for its stream throws instead of ending the pipe
      threads.execute(() -> pipe(fromClient, toUpstream, client, upstreamSocket, false));

      if (lose) {
        byte[] response = readAll(s.getInputStream());
        int status = status(response);
        lost.add(new Lost(method, path, status, r.how(), System.nanoTime()));
        LOG.info("lost the response to {} {} (the API server answered {}): {}", method, path, status, r.how());
        if (r.how() == Loss.ERROR_500) {
          byte[] body = ("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\","
              + "\"message\":\"response lost by the e2e proxy\",\"reason\":\"InternalError\",\"code\":500}")
              .getBytes(StandardCharsets.UTF_8);
          OutputStream toClient = client.getOutputStream();
          String answer = "HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/json\r\n"
              + "Content-Length: " + body.length + "\r\nConnection: close\r\n\r\n";
          toClient.write(answer.getBytes(StandardCharsets.ISO_8859_1));
          toClient.write(body);
          toClient.flush();
        } else {
          client.setSoLinger(true, 0); // RST: the connection dies without a byte of answer
        }
      } else {
        pipe(s.getInputStream(), client.getOutputStream(), s, client, watch);
      }
    } catch (IOException e) {
      if (!closed) {
        LOG.debug("proxied connection ended: {}", e.toString());
      }
    } finally {
      closeQuietly(client);
      open.remove(client);
      if (up != null) {
        closeQuietly(up);
        open.remove(up);
      }
    }
  }

  /** Copies until EOF or an error on either side, flushing every read (watch events must not wait in a buffer). */
  private void pipe(InputStream in, OutputStream out, Socket a, Socket b, boolean watch) {
    byte[] buf = new byte[16 * 1024];
    try {
      for (int n; (n = in.read(buf)) >= 0; ) {
        if (watch) {
          holdWhileWatchesLag();
        }
        out.write(buf, 0, n);
        out.flush();
      }
    } catch (IOException | UncheckedIOException e) {
      // either side closed: the other direction ends with it
    } finally {
      closeQuietly(a);
      closeQuietly(b);
    }
  }

  /** Waits (at most the lag that was set, in 50 ms steps) while watch streams are held back. */
  private void holdWhileWatchesLag() {
    long until = watchesHeldUntil;
    for (long left; until != 0 && !closed && (left = until - System.nanoTime()) > 0; ) {
      try {
        Thread.sleep(Math.max(1, Math.min(50, left / 1_000_000)));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** The request head up to and including the blank line; null when the client closed before sending anything. */
  private static byte[] readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    while (head.size() < MAX_HEAD) {
      int b = in.read();
      if (b < 0) {
        if (head.size() == 0) {
          return null;
        }
        throw new IOException("connection closed inside the request head");
      }
      head.write(b);
      matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
      if (matched == 4) {
        return head.toByteArray();
      }
    }
    throw new IOException("request head longer than " + MAX_HEAD + " bytes");
  }

  /** The whole upstream response: the API server closes after it (the request said Connection: close). */
  private static byte[] readAll(InputStream in) throws IOException {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    byte[] buf = new byte[16 * 1024];
    try {
      for (int n; (n = in.read(buf)) >= 0 && all.size() < MAX_CAPTURED; ) {
        all.write(buf, 0, n);
      }
    } catch (SocketTimeoutException e) {
      throw new IOException("the API server did not finish its response within " + LOST_RESPONSE_TIMEOUT_MILLIS
          + " ms", e);
    }
    return all.toByteArray();
  }

  private static int status(byte[] response) {
    String first = new String(response, 0, Math.min(response.length, 64), StandardCharsets.ISO_8859_1);
    Matcher m = STATUS_LINE.matcher(first);
    return m.find() ? Integer.parseInt(m.group(1)) : 0;
  }

  private static String serverOf(String kubeconfig) {
    Matcher m = SERVER.matcher(kubeconfig);
    if (!m.find()) {
      throw new IllegalStateException("no server: line in the admin kubeconfig");
    }
    return m.group(2);
  }

  private static X509Certificate certificate(Path pem) throws IOException, GeneralSecurityException {
    return (X509Certificate) CertificateFactory.getInstance("X.509")
        .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(pem)));
  }

  /** A PKCS#8 PEM key ("BEGIN PRIVATE KEY", as openssl writes it), RSA or EC. */
  private static PrivateKey privateKey(Path pem) throws IOException, GeneralSecurityException {
    String text = Files.readString(pem);
    if (!text.contains("BEGIN PRIVATE KEY")) {
      throw new GeneralSecurityException(pem + " is not a PKCS#8 PEM key");
    }
    String base64 = text.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
    PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64));
    List<GeneralSecurityException> failures = new ArrayList<>();
    for (String algorithm : List.of("RSA", "EC")) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(spec);
      } catch (GeneralSecurityException e) {
        failures.add(e);
      }
    }
    throw new GeneralSecurityException("unreadable key " + pem + ": " + failures);
  }

  private static void closeQuietly(java.io.Closeable c) {
    try {
      c.close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }
}
