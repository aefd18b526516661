package io.graceful.operator.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A plain TCP relay to a local port, so that a test can cut the network under a client: {@link #dropConnections()}
 * closes every open connection at once (in-flight requests and watches lose their response, as on a network blip or
 * an API server restart; new connections are accepted), {@link #close()} also stops accepting, so whatever sent
 * through it no longer reaches the server (a process killed with -9, as the server sees it).
 */
public final class TcpProxy implements AutoCloseable {
  private final ServerSocket listener;
  private final int target;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final AtomicInteger drops = new AtomicInteger();
  private volatile boolean closed;

  public TcpProxy(int targetPort) {
    this.target = targetPort;
    try {
      listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    Thread accept = new Thread(this::accept, "tcp-proxy-" + listener.getLocalPort());
    accept.setDaemon(true);
    accept.start();
  }

  public String url() {
    return "http://127.0.0.1:" + listener.getLocalPort() + "/";
  }

  private void accept() {
    while (!closed) {
      try {
        Socket client = listener.accept();
        Socket server = new Socket(InetAddress.getLoopbackAddress(), target);
        client.setTcpNoDelay(true);
        server.setTcpNoDelay(true);
        open.add(client);
        open.add(server);
        if (closed) {
          quietly(client);
          quietly(server);
          return;
        }
        pipe(client, server);
        pipe(server, client);
      } catch (IOException e) {
        if (closed) {
          return;
        }
      }
    }
  }

  private void pipe(Socket from, Socket to) {
    Thread t = new Thread(() -> {
      byte[] buf = new byte[16 * 1024];
      try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
        for (int n; (n = in.read(buf)) >= 0; ) {
          out.write(buf, 0, n);
          out.flush();
        }
      } catch (IOException e) {
        // the other side closed, or the test cut it
      } finally {
        quietly(from);
        quietly(to);
      }
    }, "tcp-proxy-pipe");
    t.setDaemon(true);
    t.start();
  }

  /** Cuts every open connection (requests in flight lose their answers, watches end); new ones are accepted. */
  public void dropConnections() {
    drops.incrementAndGet();
    for (Socket s : open) {
      quietly(s);
    }
  }

  public int drops() {
    return drops.get();
  }

  private void quietly(Socket s) {
    open.remove(s);
    try {
      s.close();
    } catch (IOException e) {
      // closing anyway
    }
  }

  /** Stops accepting and cuts everything: nothing sent through this proxy reaches the server any more. */
  @Override
  public void close() {
    closed = true;
    try {
      listener.close();
    } catch (IOException e) {
      // closing anyway
    }
    dropConnections();
  }
}
