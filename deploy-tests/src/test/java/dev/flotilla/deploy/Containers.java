package dev.flotilla.deploy;

import java.util.List;
import java.util.Optional;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;

/** Small look-ups in Deployments the rule tests share. */
final class Containers {
    private Containers() {}

    static PodSpec pod(Deployment deployment) {
        return deployment.getSpec().getTemplate().getSpec();
    }

    /** The Deployment's one container. */
    static Container only(Deployment deployment) {
        List<Container> containers = pod(deployment).getContainers();
        if (containers.size() != 1) {
            throw new AssertionError(deployment.getMetadata().getName() + " has " + containers.size() + " containers");
        }
        return containers.get(0);
    }

    static Optional<EnvVar> env(Container container, String name) {
        return container.getEnv().stream().filter(e -> name.equals(e.getName())).findFirst();
    }

    /** The literal value of an environment variable, which must be set and literal. */
    static String value(Container container, String name) {
        EnvVar var =
                env(container, name).orElseThrow(() -> new AssertionError(container.getName() + " has no " + name));
        if (var.getValue() == null) {
            throw new AssertionError(name + " of " + container.getName() + " is not a literal value");
        }
        return var.getValue();
    }
}
