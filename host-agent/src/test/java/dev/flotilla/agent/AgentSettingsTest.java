package dev.flotilla.agent;

import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The service URL and how the agent trusts it: plain HTTP only to loopback unless asked for. */
class AgentSettingsTest {
    private static AgentSettings load(Map<String, String> env) throws Exception {
        return AgentSettings.load(Path.of("/nonexistent/agent.conf"), env);
    }

    @Test
    void shouldRefusePlainHttpToAnotherHost() {
        for (String url : new String[] {"http://fleet.example.com", "http://10.0.0.5:8080", "http://128.0.0.1"}) {
            assertThatThrownBy(() -> load(Map.of("FLOTILLA_URL", url)))
                    .as(url)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("refusing plain " + url)
                    .hasMessageContaining("--insecure");
        }
    }

    @Test
    void shouldAllowPlainHttpToLoopbackOrWhenInsecure() throws Exception {
        for (String url :
                new String[] {"http://127.0.0.1:8080", "http://127.3.4.5", "http://localhost:8080", "http://[::1]:8080"
                }) {
            assertThat(load(Map.of("FLOTILLA_URL", url)).url()).hasToString(url);
        }
        AgentSettings lab = load(Map.of("FLOTILLA_URL", "http://fleet.lab", "FLOTILLA_INSECURE", "1"));
        assertThat(lab.insecure()).isTrue();
        assertThat(load(Map.of("FLOTILLA_URL", "https://fleet.example.com")).insecure())
                .isFalse();
    }

    @Test
    void shouldReadTheCaFileAndPinAndRefuseAMalformedPin() throws Exception {
        String pin = "sha256/" + "A".repeat(43) + "=";
        AgentSettings s = load(Map.of(
                "FLOTILLA_URL",
                "https://fleet.example.com",
                "FLOTILLA_CA_FILE",
                "/etc/flotilla/ca.pem",
                "FLOTILLA_PIN",
                pin));
        assertThat(s.caFile()).isEqualTo(Path.of("/etc/flotilla/ca.pem"));
        assertThat(s.pin()).isEqualTo(pin);
        assertThatThrownBy(() -> load(Map.of("FLOTILLA_URL", "https://fleet.example.com", "FLOTILLA_PIN", "md5/abc")))
                .hasMessageContaining("pin must be sha256/");
    }
}
