package org.nic.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What each service ships (its packaged {@code quarkus-app/lib}, built before these tests run): one SLF4J provider,
 * Quarkus' own, and no command-line library. The trainer uses the nic-training library, whose command (nic-train)
 * brings picocli and a console logger; until the split (issue 28) both reached the trainer, and SLF4J warned of two
 * providers at every start and picked one.
 */
class ServiceClasspathTest {

    @ParameterizedTest
    @ValueSource(strings = {"tiler-service", "encoder-service", "predictor-service", "trainer-service", "dashboard-service"})
    void oneSlf4jProviderAndNoCommandLineLibrary(String module) throws IOException {
        Path lib = Pipeline.k8sBase().resolve("../../..").normalize().resolve(module).resolve("target/quarkus-app/lib");
        assertThat(lib).as("%s packaged (mvn package runs before these tests)", module).isDirectory();
        List<String> jars;
        try (Stream<Path> files = Files.walk(lib)) {
            jars = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".jar")).toList();
        }
        assertThat(jars).as("the service's libraries").anyMatch(n -> n.contains("slf4j-api"));
        assertThat(jars.stream().filter(ServiceClasspathTest::slf4jProvider)).as("SLF4J providers of %s", module)
                .singleElement().asString().contains("slf4j-jboss-logmanager");
        assertThat(jars).as("command-line libraries in %s", module).noneMatch(n -> n.contains("picocli"));
    }

    /** The jars that bind SLF4J to a logging back end. */
    static boolean slf4jProvider(String jar) {
        return Stream.of("slf4j-jboss-logmanager", "slf4j-simple", "slf4j-jdk14", "slf4j-reload4j", "logback-classic",
                "log4j-slf4j2-impl", "slf4j-nop").anyMatch(jar::contains);
    }
}
