package dev.flotilla.deploy;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.MapperConfig;
import com.fasterxml.jackson.databind.introspect.Annotated;
import com.fasterxml.jackson.databind.introspect.AnnotatedClass;
import com.fasterxml.jackson.databind.introspect.AnnotatedMember;
import com.fasterxml.jackson.databind.introspect.JacksonAnnotationIntrospector;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

/**
 * The YAML mapper every manifest is read with: a field that its type does not name is an error,
 * naming the field. The API server would drop such a field (or, with strict validation, refuse the
 * whole apply) and a misspelt {@code readinessProbe} would leave a pod without one.
 *
 * <p>{@code FAIL_ON_UNKNOWN_PROPERTIES} alone is not enough: every fabric8 model class catches
 * unknown fields in {@code additionalProperties} through a {@code @JsonAnySetter}, so they would
 * parse silently. {@link NoCatchAll} turns that catch-all off for fabric8's classes, and any
 * {@code ignoreUnknown} with it; {@code StrictParsingTest} shows both the leak and the fix.
 */
final class StrictYaml {
    private StrictYaml() {}

    static ObjectMapper mapper() {
        return YAMLMapper.builder()
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                // Not FAIL_ON_TRAILING_TOKENS: fabric8's Quantity deserializer reads its value as a
                // tree through this mapper, and would fail on the rest of the document.
                // A key given twice in one mapping: YAML forbids it, parsers keep the last one.
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .annotationIntrospector(new NoCatchAll())
                .build();
    }

    /** Jackson's annotations as written, less fabric8's catch-all for unknown fields. */
    static final class NoCatchAll extends JacksonAnnotationIntrospector {
        @Override
        public Boolean hasAnySetter(Annotated a) {
            return fabric8(a) ? Boolean.FALSE : super.hasAnySetter(a);
        }

        @Override
        public JsonIgnoreProperties.Value findPropertyIgnoralByName(MapperConfig<?> config, Annotated a) {
            JsonIgnoreProperties.Value value = super.findPropertyIgnoralByName(config, a);
            return fabric8(a) ? value.withoutIgnoreUnknown() : value;
        }

        private static boolean fabric8(Annotated a) {
            Class<?> owner;
            if (a instanceof AnnotatedMember member) {
                owner = member.getDeclaringClass();
            } else if (a instanceof AnnotatedClass type) {
                owner = type.getRawType();
            } else {
                return false;
            }
            return owner.getName().startsWith("io.fabric8.");
        }
    }
}
