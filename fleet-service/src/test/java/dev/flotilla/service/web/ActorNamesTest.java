package dev.flotilla.service.web;

import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Actors in words, from what an organization knows (a map here: the lookup is the only I/O). */
class ActorNamesTest {
    private static final UUID DEPLOY_BOT = UUID.fromString("9848cdc5-0000-4000-8000-000000000001");
    private static final UUID CHILD = UUID.fromString("9848cdc5-0000-4000-8000-000000000002");
    private static final UUID BOOTSTRAP = UUID.fromString("9848cdc5-0000-4000-8000-000000000003");

    private final ActorNames.Lookup org = new ActorNames.Lookup() {
        final Map<String, String> members = Map.of("account:ada", "Ada", "oidc:5f1c-77", "Grace Hopper");
        final Map<UUID, ActorNames.Token> tokens = Map.of(
                DEPLOY_BOT, new ActorNames.Token("deploy-bot", "account:ada"),
                CHILD, new ActorNames.Token("ci", "token:" + DEPLOY_BOT),
                BOOTSTRAP, new ActorNames.Token("first-start", "system"));

        @Override
        public Optional<String> member(String subject) {
            return Optional.ofNullable(members.get(subject));
        }

        @Override
        public Optional<ActorNames.Token> token(UUID id) {
            return Optional.ofNullable(tokens.get(id));
        }

        @Override
        public Optional<String> machine(String id) {
            return id.equals("0123456789abcdef0123456789abcdef") ? Optional.of("web-1") : Optional.empty();
        }
    };

    @Test
    void shouldNamePeopleByTheirNames() {
        assertThat(ActorNames.describe("account:ada", org)).isEqualTo("Ada");
        assertThat(ActorNames.describe("oidc:5f1c-77", org)).isEqualTo("Grace Hopper");
        assertThat(ActorNames.describe("account:bob", org)).isEqualTo("bob");
        assertThat(ActorNames.describe("oidc:0a9e2c4b-1111-2222", org)).isEqualTo("a former member (0a9e2c4b-111…)");
    }

    @Test
    void shouldNameATokenByItsNameAndThePersonAtTheRootOfItsChain() {
        assertThat(ActorNames.describe("token:" + DEPLOY_BOT, org)).isEqualTo("Ada (token deploy-bot)");
        assertThat(ActorNames.describe("token:" + CHILD, org)).isEqualTo("Ada (token ci)");
        assertThat(ActorNames.describe("token:" + BOOTSTRAP, org)).isEqualTo("Flotilla (token first-start)");
        assertThat(ActorNames.describe("token:" + UUID.randomUUID(), org)).isEqualTo("a deleted token");
        assertThat(ActorNames.describe("token:not-a-uuid", org)).isEqualTo("a deleted token");
    }

    @Test
    void shouldNameAgentsByTheirHostAndTheRestPlainly() {
        assertThat(ActorNames.describe("agent:0123456789abcdef0123456789abcdef", org))
                .isEqualTo("agent of web-1");
        assertThat(ActorNames.describe("agent:ffffffffffffffffffffffffffffffff", org))
                .isEqualTo("agent of ffffffffffff…");
        assertThat(ActorNames.describe("system", org)).isEqualTo("Flotilla");
        assertThat(ActorNames.describe("anonymous", org)).isEqualTo("anonymous");
        assertThat(ActorNames.describe(null, org)).isEqualTo("—");
    }

    @Test
    void shouldStopAtALoopOfTokens() {
        UUID a = UUID.randomUUID();
        UUID b = UUID.randomUUID();
        ActorNames.Lookup loop = new ActorNames.Lookup() {
            @Override
            public Optional<String> member(String subject) {
                return Optional.empty();
            }

            @Override
            public Optional<ActorNames.Token> token(UUID id) {
                return Optional.of(new ActorNames.Token(id.equals(a) ? "a" : "b", "token:" + (id.equals(a) ? b : a)));
            }

            @Override
            public Optional<String> machine(String id) {
                return Optional.empty();
            }
        };
        assertThat(ActorNames.describe("token:" + a, loop)).isEqualTo("token a");
    }
}
