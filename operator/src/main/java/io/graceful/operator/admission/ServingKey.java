package io.graceful.operator.admission;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * The webhook's serving key and certificate chain, replaceable while the server runs: each TLS handshake reads the
 * current pair, so a renewed certificate is served from the next connection on, without a restart.
 */
final class ServingKey extends X509ExtendedKeyManager {
  private static final String ALIAS = "graceful-webhook";

  private record Pair(PrivateKey key, X509Certificate[] chain) {}

  private final AtomicReference<Pair> current = new AtomicReference<>();

  void set(PrivateKey key, List<X509Certificate> chain) {
    current.set(new Pair(key, chain.toArray(X509Certificate[]::new)));
  }

  X509Certificate certificate() {
    Pair p = current.get();
    return p == null ? null : p.chain()[0];
  }

  private String alias(String keyType) {
    Pair p = current.get();
    return p != null && (keyType == null || keyType.startsWith(p.key().getAlgorithm())) ? ALIAS : null;
  }

  @Override
  public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
    return alias(keyType);
  }

  @Override
  public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
    return alias(keyType);
  }

  @Override
  public String[] getServerAliases(String keyType, Principal[] issuers) {
    String a = alias(keyType);
    return a == null ? null : new String[] {a};
  }

  @Override
  public X509Certificate[] getCertificateChain(String alias) {
    Pair p = current.get();
    return p == null || !ALIAS.equals(alias) ? null : p.chain().clone();
  }

  @Override
  public PrivateKey getPrivateKey(String alias) {
    Pair p = current.get();
    return p == null || !ALIAS.equals(alias) ? null : p.key();
  }

  @Override
  public String[] getClientAliases(String keyType, Principal[] issuers) {
    return null;
  }

  @Override
  public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
    return null;
  }
}
