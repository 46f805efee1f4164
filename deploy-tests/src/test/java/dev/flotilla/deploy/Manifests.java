package dev.flotilla.deploy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.flotilla.deploy.cnpg.Cluster;
import dev.flotilla.deploy.cnpg.ScheduledBackup;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.openshift.api.model.monitoring.v1.PrometheusRule;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;

/**
 * The documents of one rendering, each parsed into the type of its {@code apiVersion} and
 * {@code kind} with {@link StrictYaml}. A kind without a type here is an error too: whatever is
 * deployed is checked.
 */
final class Manifests {
    /** apiVersion/kind to the type a document of it is read into. */
    private static final Map<String, Class<?>> TYPES = Map.ofEntries(
            Map.entry("v1/ConfigMap", ConfigMap.class),
            Map.entry("v1/Secret", Secret.class),
            Map.entry("v1/Service", Service.class),
            Map.entry("apps/v1/Deployment", Deployment.class),
            Map.entry("autoscaling/v2/HorizontalPodAutoscaler", HorizontalPodAutoscaler.class),
            Map.entry("networking.k8s.io/v1/Ingress", Ingress.class),
            Map.entry("networking.k8s.io/v1/NetworkPolicy", NetworkPolicy.class),
            Map.entry("policy/v1/PodDisruptionBudget", PodDisruptionBudget.class),
            Map.entry("monitoring.coreos.com/v1/ServiceMonitor", ServiceMonitor.class),
            Map.entry("monitoring.coreos.com/v1/PrometheusRule", PrometheusRule.class),
            Map.entry("postgresql.cnpg.io/v1/Cluster", Cluster.class),
            Map.entry("postgresql.cnpg.io/v1/ScheduledBackup", ScheduledBackup.class));

    private static final ObjectMapper YAML = StrictYaml.mapper();

    private final List<Object> documents;

    private Manifests(List<Object> documents) {
        this.documents = documents;
    }

    /** The rendering of a tree ({@code "base"}, {@code "overlays/production"}), parsed. */
    static Manifests of(String tree) {
        return parse(Kustomize.render(tree));
    }

    /** Multi-document YAML as {@code kubectl kustomize} writes it: documents split by {@code ---}. */
    static Manifests parse(String yaml) {
        List<Object> documents = new ArrayList<>();
        String[] texts = yaml.split("(?m)^---[ \\t]*$");
        for (int i = 0; i < texts.length; i++) {
            if (!texts[i].isBlank()) {
                documents.add(parseDocument(i + 1, texts[i]));
            }
        }
        return new Manifests(documents);
    }

    private static Object parseDocument(int number, String text) {
        String what = "document " + number;
        try {
            JsonNode head = YAML.readTree(text);
            String apiVersion = head.path("apiVersion").asText();
            String kind = head.path("kind").asText();
            what += " (" + kind + " " + head.path("metadata").path("name").asText() + ")";
            Class<?> type = TYPES.get(apiVersion + "/" + kind);
            if (type == null) {
                throw new ManifestException(what + ": no model for " + apiVersion + " " + kind
                        + "; add one to Manifests so that what is deployed is checked");
            }
            // From the text, not the tree: errors then carry the line of the document.
            return YAML.readValue(text, type);
        } catch (JsonProcessingException e) {
            throw new ManifestException(what + ": " + e.getMessage(), e);
        }
    }

    /** Every document of a type. */
    <T> List<T> all(Class<T> type) {
        return documents.stream().filter(type::isInstance).map(type::cast).toList();
    }

    /** The one document of a type with this name. */
    <T> T named(Class<T> type, String name) {
        List<T> found = all(type).stream().filter(d -> name.equals(name(d))).toList();
        if (found.size() != 1) {
            throw new AssertionError(
                    "expected one " + type.getSimpleName() + " named " + name + ", found " + found.size());
        }
        return found.get(0);
    }

    int size() {
        return documents.size();
    }

    static String name(Object document) {
        ObjectMeta metadata;
        if (document instanceof HasMetadata resource) {
            metadata = resource.getMetadata();
        } else if (document instanceof Cluster cluster) {
            metadata = cluster.metadata();
        } else if (document instanceof ScheduledBackup backup) {
            metadata = backup.metadata();
        } else {
            throw new IllegalArgumentException("no metadata in " + document.getClass());
        }
        return metadata.getName();
    }

    /** A document that does not parse into its type, with the document and the reason. */
    static final class ManifestException extends RuntimeException {
        ManifestException(String message) {
            super(message);
        }

        ManifestException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
