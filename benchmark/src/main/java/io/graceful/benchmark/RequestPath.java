package io.graceful.benchmark;

/**
 * A Kubernetes API request path taken apart: verb (GET split into GET of one object, LIST and WATCH), resource
 * (with subresource, e.g. {@code gracefulpolicies/status}), namespace and name.
 */
record RequestPath(String verb, String resource, String namespace, String name) {

  static RequestPath parse(String method, String rawPath) {
    int q = rawPath.indexOf('?');
    String path = q < 0 ? rawPath : rawPath.substring(0, q);
    String query = q < 0 ? "" : rawPath.substring(q + 1);
    path = path.replaceAll("^/+", "");
    String[] s = path.split("/");
    // /api/v1/... or /apis/group/version/...
    int i;
    if (s.length >= 2 && s[0].equals("api")) {
      i = 2;
    } else if (s.length >= 3 && s[0].equals("apis")) {
      i = 3;
    } else {
      return new RequestPath(method, "/" + path, null, null);
    }
    String namespace = null;
    if (s.length > i + 2 && s[i].equals("namespaces")) {
      namespace = s[i + 1];
      i += 2;
    }
    if (s.length <= i) {
      return new RequestPath(method, "(discovery)", namespace, null);
    }
    String resource = s[i];
    String name = s.length > i + 1 ? s[i + 1] : null;
    if (s.length > i + 2) {
      resource = resource + "/" + s[i + 2];
    }
    if (resource.equals("namespaces") && name != null && namespace == null && s.length == i + 2) {
      // GET /api/v1/namespaces/x is a single namespace
      namespace = name;
    }
    String verb = method;
    if (method.equals("GET")) {
      verb = query.contains("watch=true") ? "WATCH" : name == null ? "LIST" : "GET";
    }
    return new RequestPath(verb, resource, namespace, name);
  }
}
