package io.graceful.demo;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Loads the CRD and {@code examples/} into the API server. Both are packaged into the demo jar at build time
 * (demo/pom.xml copies {@code ../crd} and {@code ../examples}), so the demo runs from any directory.
 */
final class ExampleLoader {

  static final String CRD_NAME = "gracefulpolicies.graceful.io";
  /** The ClusterGracefulPolicy CRD, created beside the GracefulPolicy one (examples/cluster-policy.yaml uses it). */
  static final String CLUSTER_CRD_NAME = "clustergracefulpolicies.graceful.io";
  /** In apply order: namespaces (deployments.yaml) first, the policies last, as a team's cluster would have them. */
  static final List<String> EXAMPLES = List.of("deployments.yaml", "workloads.yaml", "policies.yaml",
      "cluster-policy.yaml");

  /** GracefulPolicies are read and written as generic resources: the demo does not depend on the Java model. */
  static final ResourceDefinitionContext POLICY = new ResourceDefinitionContext.Builder()
      .withGroup("graceful.io")
      .withVersion("v1alpha1")
      .withKind("GracefulPolicy")
      .withPlural("gracefulpolicies")
      .withNamespaced(true)
      .build();

  /** ClusterGracefulPolicies, cluster-scoped, read and written the same generic way. */
  static final ResourceDefinitionContext CLUSTER_POLICY = new ResourceDefinitionContext.Builder()
      .withGroup("graceful.io")
      .withVersion("v1alpha1")
      .withKind("ClusterGracefulPolicy")
      .withPlural("clustergracefulpolicies")
      .withNamespaced(false)
      .build();

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private ExampleLoader() {
  }

  static MixedOperation<GenericKubernetesResource, GenericKubernetesResourceList,
      Resource<GenericKubernetesResource>> policies(KubernetesClient client) {
    return client.genericKubernetesResources(POLICY);
  }

  static MixedOperation<GenericKubernetesResource, GenericKubernetesResourceList,
      Resource<GenericKubernetesResource>> clusterPolicies(KubernetesClient client) {
    return client.genericKubernetesResources(CLUSTER_POLICY);
  }

  /**
   * Creates both CRDs (the operator serves ClusterGracefulPolicies only when theirs is installed at start-up) and
   * returns the GracefulPolicy one, whose printer columns the tables print (the cluster policy's are the same).
   */
  static CustomResourceDefinition createCrd(KubernetesClient client) {
    createCrd(client, CLUSTER_CRD_NAME);
    return createCrd(client, CRD_NAME);
  }

  private static CustomResourceDefinition createCrd(KubernetesClient client, String name) {
    // where demo/pom.xml puts the committed CRD, then where the CRD generator puts it in the operator jar
    List<String> resources = List.of("graceful/crd/" + name + "-v1.yml", "META-INF/fabric8/" + name + "-v1.yml");
    for (String path : resources) {
      try (InputStream in = open(path, false)) {
        if (in != null) {
          CustomResourceDefinition crd = client.apiextensions().v1().customResourceDefinitions().load(in).item();
          return client.resource(crd).create();
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    throw new IllegalStateException("CRD not found on the class path (looked for " + resources
        + "); build with: mvn -B -DskipTests package");
  }

  /**
   * Creates every object of examples/ and returns them in file order. The files are split into documents here
   * (client.load() refused these multi-document files) and each one is typed by the client's serializer.
   */
  static List<HasMetadata> createExamples(KubernetesClient client) {
    List<HasMetadata> created = new ArrayList<>();
    for (String file : EXAMPLES) {
      try (InputStream in = open("graceful/examples/" + file, true);
          MappingIterator<Map<String, Object>> documents = YAML.readerFor(Map.class).readValues(in)) {
        while (documents.hasNext()) {
          Map<String, Object> document = documents.next();
          if (document != null && !document.isEmpty()) {   // skips comment-only documents
            created.add(create(client,
                client.getKubernetesSerialization().convertValue(document, HasMetadata.class)));
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return created;
  }

  private static HasMetadata create(KubernetesClient client, HasMetadata item) {
    if ("GracefulPolicy".equals(item.getKind())) {
      // Whatever class the deserializer picked, go through the generic API with an explicit definition:
      // the embedded server's API discovery cannot be relied on (docs/rules.md).
      GenericKubernetesResource generic =
          client.getKubernetesSerialization().convertValue(item, GenericKubernetesResource.class);
      return policies(client).inNamespace(item.getMetadata().getNamespace()).resource(generic).create();
    }
    if ("ClusterGracefulPolicy".equals(item.getKind())) {
      GenericKubernetesResource generic =
          client.getKubernetesSerialization().convertValue(item, GenericKubernetesResource.class);
      return clusterPolicies(client).resource(generic).create();
    }
    return client.resource(item).create();
  }

  private static InputStream open(String path, boolean required) {
    InputStream in = ExampleLoader.class.getClassLoader().getResourceAsStream(path);
    if (in == null && required) {
      throw new IllegalStateException(path + " not found on the class path; build with: mvn -B -DskipTests package");
    }
    return in;
  }
}
