package io.graceful.operator.admission;

import java.io.IOException;
import java.io.StringReader;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The webhook's own PKI: a CA (ten years) and a serving certificate it signs for the Service's DNS names and
 * 127.0.0.1 (an operator outside the cluster), as PEM. The serving certificate is renewed under the same CA, so the
 * caBundle the API server trusts does not change when it is: no admission fails during a renewal.
 */
final class WebhookCertificates {
  static final Duration CA_VALIDITY = Duration.ofDays(3650);
  private static final SecureRandom RANDOM = new SecureRandom();

  /** PEM texts of one CA and the serving certificate it signed. */
  record Pem(String caCert, String caKey, String tlsCert, String tlsKey) {}

  private WebhookCertificates() {
  }

  /** A new CA and serving certificate. */
  static Pem create(List<String> dnsNames, Duration validity, Instant now) {
    try {
      KeyPair ca = keyPair();
      X500Name caName = new X500Name("CN=graceful-operator-webhook-ca");
      JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(caName, serial(), Date.from(now.minusSeconds(60)),
          Date.from(now.plus(CA_VALIDITY)), caName, ca.getPublic());
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
      b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      X509Certificate caCert = sign(b, ca.getPrivate());
      return serving(pem("CERTIFICATE", caCert.getEncoded()), pem("PRIVATE KEY", ca.getPrivate().getEncoded()),
          dnsNames, validity, now);
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot create the webhook CA: " + e, e);
    }
  }

  /** A new serving certificate signed by the given CA. */
  static Pem serving(String caCertPem, String caKeyPem, List<String> dnsNames, Duration validity, Instant now) {
    try {
      X509Certificate caCert = certificates(caCertPem).get(0);
      PrivateKey caKey = privateKey(caKeyPem);
      KeyPair serving = keyPair();
      List<GeneralName> names = new ArrayList<>();
      dnsNames.forEach(n -> names.add(new GeneralName(GeneralName.dNSName, n)));
      names.add(new GeneralName(GeneralName.iPAddress, "127.0.0.1"));
      Instant notAfter = now.plus(validity);
      Instant caEnd = caCert.getNotAfter().toInstant();
      JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(
          X500Name.getInstance(caCert.getSubjectX500Principal().getEncoded()), serial(),
          Date.from(now.minusSeconds(60)), Date.from(notAfter.isAfter(caEnd) ? caEnd : notAfter),
          new X500Name("CN=" + dnsNames.get(0)), serving.getPublic());
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
      b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
      b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names.toArray(GeneralName[]::new)));
      X509Certificate cert = sign(b, caKey);
      return new Pem(caCertPem, caKeyPem, pem("CERTIFICATE", cert.getEncoded()),
          pem("PRIVATE KEY", serving.getPrivate().getEncoded()));
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot create the webhook serving certificate: " + e, e);
    }
  }

  /**
   * Whether the serving certificate must be renewed now: a third of its validity or less is left (or it does not
   * read). Every replica decides the same from the shared Secret.
   */
  static boolean due(String tlsCertPem, Instant now) {
    try {
      X509Certificate cert = certificates(tlsCertPem).get(0);
      Instant from = cert.getNotBefore().toInstant();
      Instant to = cert.getNotAfter().toInstant();
      return now.isAfter(to.minus(Duration.between(from, to).dividedBy(3)));
    } catch (RuntimeException | GeneralSecurityException | IOException e) {
      return true;
    }
  }

  static List<X509Certificate> certificates(String pem) throws GeneralSecurityException, IOException {
    List<X509Certificate> out = new ArrayList<>();
    try (PEMParser parser = new PEMParser(new StringReader(pem))) {
      Object o;
      while ((o = parser.readObject()) != null) {
        if (o instanceof X509CertificateHolder h) {
          out.add(new JcaX509CertificateConverter().getCertificate(h));
        }
      }
    }
    if (out.isEmpty()) {
      throw new IOException("no certificate in the PEM text");
    }
    return out;
  }

  /** A PKCS#8, PKCS#1 (RSA) or SEC1 (EC) private key, as cert-manager and openssl write them. */
  static PrivateKey privateKey(String pem) throws IOException {
    try (PEMParser parser = new PEMParser(new StringReader(pem))) {
      Object o = parser.readObject();
      JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
      if (o instanceof PEMKeyPair pair) {
        return converter.getKeyPair(pair).getPrivate();
      }
      if (o instanceof PrivateKeyInfo info) {
        return converter.getPrivateKey(info);
      }
      throw new IOException("no private key in the PEM text");
    }
  }

  private static KeyPair keyPair() throws GeneralSecurityException {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
    return g.generateKeyPair();
  }

  private static X509Certificate sign(JcaX509v3CertificateBuilder b, PrivateKey key)
      throws GeneralSecurityException {
    try {
      return new JcaX509CertificateConverter().getCertificate(
          b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key)));
    } catch (OperatorCreationException e) {
      throw new GeneralSecurityException(e);
    }
  }

  private static BigInteger serial() {
    return new BigInteger(96, RANDOM);
  }

  static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }
}
