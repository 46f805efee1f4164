package dev.flotilla.deploy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Renders the Kustomize trees of {@code deploy/kubernetes} with the {@code kubectl} on the PATH, the
 * way an operator's {@code kubectl apply -k} would, so the tests check what would be applied and not
 * the files it is made from. There is no API server here, and none is needed: rendering is offline.
 * A missing {@code kubectl} fails the tests rather than skipping them: CI installs it
 * ({@code deploy/ci/prepare-test-machine.sh}).
 */
final class Kustomize {
    /** The checkout: the folder above this module that holds {@code deploy/kubernetes}. */
    static final Path ROOT = projectRoot();

    static final Path KUBERNETES = ROOT.resolve("deploy/kubernetes");

    private static final Map<String, String> RENDERED = new ConcurrentHashMap<>();

    private Kustomize() {}

    /** The rendering of one tree, {@code "base"} or {@code "overlays/NAME"}; each is rendered once. */
    static String render(String tree) {
        return RENDERED.computeIfAbsent(tree, t -> run(KUBERNETES.resolve(t)));
    }

    /** The rendering of a Kustomize folder anywhere (a copy of a tree, say), not kept. */
    static String renderFolder(Path folder) {
        return run(folder);
    }

    /** Every overlay under {@code deploy/kubernetes/overlays}, so that a new one is checked too. */
    static List<String> overlays() {
        try (Stream<Path> dirs = Files.list(KUBERNETES.resolve("overlays"))) {
            return dirs.filter(Files::isDirectory)
                    .map(d -> "overlays/" + d.getFileName())
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new IllegalStateException("cannot list " + KUBERNETES.resolve("overlays"), e);
        }
    }

    private static String run(Path tree) {
        Path errors = null;
        try {
            errors = Files.createTempFile("kustomize", ".err");
            Process process;
            try {
                process = new ProcessBuilder("kubectl", "kustomize", tree.toString())
                        .redirectError(errors.toFile())
                        .start();
            } catch (IOException e) {
                throw new AssertionError("kubectl is not on the PATH (" + e.getMessage() + "). These tests render "
                        + "deploy/kubernetes with `kubectl kustomize`: install kubectl "
                        + "(deploy/ci/prepare-test-machine.sh does, with apt-get install kubectl).");
            }
            process.getOutputStream().close();
            byte[] out = process.getInputStream().readAllBytes();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("kubectl kustomize " + tree + " did not finish within 60 s");
            }
            if (process.exitValue() != 0) {
                throw new AssertionError("kubectl kustomize " + tree + " failed (exit " + process.exitValue() + "): "
                        + Files.readString(errors));
            }
            return new String(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot run kubectl kustomize " + tree, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            if (errors != null) {
                errors.toFile().delete();
            }
        }
    }

    private static Path projectRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("deploy/kubernetes")) && Files.isRegularFile(dir.resolve("pom.xml"))) {
                return dir;
            }
        }
        throw new IllegalStateException(
                "no folder above " + Path.of("").toAbsolutePath() + " holds deploy/kubernetes and a pom.xml");
    }
}
