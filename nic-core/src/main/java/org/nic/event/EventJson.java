package org.nic.event;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * JSON of NIC's events and documents: one configured {@link ObjectMapper}, and validation of event
 * payloads against their schemas (docs/schemas, on the classpath under {@code nic/schemas/}).
 */
public final class EventJson {

    private static final ObjectMapper MAPPER = configure(new ObjectMapper());
    private static final Map<EventType, JsonSchema> SCHEMAS = loadSchemas();

    private EventJson() {
    }

    /** Applies NIC's JSON conventions: ISO-8601 times, nulls left out, unknown fields tolerated. */
    public static ObjectMapper configure(ObjectMapper mapper) {
        return mapper.registerModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .setSerializationInclusion(JsonInclude.Include.NON_NULL);
    }

    public static ObjectMapper mapper() {
        return MAPPER;
    }

    public static byte[] toBytes(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write " + value.getClass().getSimpleName() + " as JSON", e);
        }
    }

    public static String toJson(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write " + value.getClass().getSimpleName() + " as JSON", e);
        }
    }

    /**
     * Parses and validates an event payload.
     *
     * @throws InvalidEventException when the bytes are not JSON or do not match the event's schema
     */
    public static <T extends Record> T readEvent(EventType type, byte[] json, Class<T> recordClass) {
        JsonNode node;
        try {
            node = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new InvalidEventException(type, null, "malformed JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new InvalidEventException(type, null, "unreadable payload: " + e.getMessage(), e);
        }
        if (node == null || node.isMissingNode()) {
            throw new InvalidEventException(type, null, "empty payload", null);
        }
        Set<String> problems = validate(type, node);
        if (!problems.isEmpty()) {
            String id = node.hasNonNull("slideId") && node.get("slideId").isTextual() ? node.get("slideId").asText() : null;
            throw new InvalidEventException(type, id, "does not match " + type.schemaFile() + ": "
                    + String.join("; ", problems), null);
        }
        try {
            return MAPPER.treeToValue(node, recordClass);
        } catch (JsonProcessingException e) {
            throw new InvalidEventException(type, null, "cannot bind: " + e.getOriginalMessage(), e);
        }
    }

    /** Schema violations of a payload, empty when it is valid. */
    public static Set<String> validate(EventType type, JsonNode payload) {
        return SCHEMAS.get(type).validate(payload).stream()
                .map(ValidationMessage::getMessage)
                .collect(Collectors.toCollection(java.util.TreeSet::new));
    }

    /** Schema violations of a record as it would be written. */
    public static Set<String> validate(EventType type, Object event) {
        return validate(type, MAPPER.valueToTree(event));
    }

    private static Map<EventType, JsonSchema> loadSchemas() {
        JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
        Map<EventType, JsonSchema> schemas = new EnumMap<>(EventType.class);
        for (EventType type : EventType.values()) {
            String resource = "nic/schemas/" + type.schemaFile();
            try (InputStream in = EventJson.class.getClassLoader().getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IllegalStateException("schema missing from the classpath: " + resource);
                }
                schemas.put(type, factory.getSchema(in));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return schemas;
    }
}
