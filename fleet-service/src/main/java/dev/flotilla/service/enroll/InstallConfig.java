package dev.flotilla.service.enroll;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Where hosts get the agent from, for the install commands ({@code flotilla.install.*}). */
@ConfigMapping(prefix = "flotilla.install")
public interface InstallConfig {
    /** The agent's image as hosts pull it (where `./flotilla image`'s archive was pushed). */
    @WithDefault("registry.example.com/flotilla/flotilla-agent:0.1.0")
    String image();

    /** Where the agent's packages are downloaded from (a folder holding the .deb and .rpm). */
    @WithDefault("https://downloads.example.com/flotilla/0.1.0")
    String downloads();
}
