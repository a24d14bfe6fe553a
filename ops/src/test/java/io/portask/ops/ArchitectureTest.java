package io.portask.ops;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The module and package rules of DESIGN.md §2, checked on the compiled main classes of every module the broker
 * is assembled from (ops sees them all): no package imports a package that imports it back; the client SDK and
 * the gateway know the protocol, never the core agent, its storage or its transport; the api module depends on
 * nothing of ours; the SDK never touches Agrona's Unsafe-backed buffers or queues; no class of those modules is
 * over 500 lines, the core agent over 300 (a class past that is two classes).
 */
class ArchitectureTest
{
    private static final JavaClasses MAIN_CLASSES = new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("io.portask");

    @Test
    void shouldHaveNoPackageCycles()
    {
        slices().matching("io.portask.(**)").should().beFreeOfCycles().check(MAIN_CLASSES);
    }

    @Test
    void shouldKeepClientAndGatewayOffTheCore()
    {
        noClasses()
        .that().resideInAnyPackage("io.portask.client..", "io.portask.gateway..")
        .should().dependOnClassesThat().resideInAnyPackage(
            "io.portask.core..", "io.portask.storage..", "io.portask.transport..", "io.portask.config..")
            .check(MAIN_CLASSES);
    }

    @Test
    void shouldKeepTheClientSdkOffAgronasUnsafeAccess()
    {
        noClasses()
            .that().resideInAnyPackage("io.portask.client..", "io.portask.protocol.link..",
                "io.portask.protocol.buffer..")
            .should().dependOnClassesThat().haveFullyQualifiedName("org.agrona.concurrent.UnsafeBuffer")
            .orShould().dependOnClassesThat().haveFullyQualifiedName("org.agrona.UnsafeApi")
            .orShould().dependOnClassesThat().haveFullyQualifiedName("org.agrona.ExpandableArrayBuffer")
            .orShould().dependOnClassesThat().haveFullyQualifiedName("org.agrona.ExpandableDirectByteBuffer")
            .orShould().dependOnClassesThat().resideInAPackage("org.agrona.concurrent..")
            .because("an application embedding the SDK runs with no JVM flags (ADR 0010)")
            .check(MAIN_CLASSES);
    }

    @Test
    void shouldKeepTheApiFreeOfEverythingElseOfOurs()
    {
        classes().that().resideInAnyPackage("io.portask.protocol..")
            .should().onlyDependOnClassesThat().resideInAnyPackage(
                "io.portask.protocol..", "java..", "javax.crypto..", "org.agrona..", "com.github.luben.zstd..")
            .check(MAIN_CLASSES);
    }

    @Test
    void shouldKeepTuningFreeOfEverythingElseOfOurs()
    {
        classes().that().resideInAnyPackage("io.portask.tuning..")
            .should().onlyDependOnClassesThat().resideInAnyPackage(
                "io.portask.tuning..", "java..", "net.openhft.affinity..", "org.slf4j..")
            .check(MAIN_CLASSES);
    }

    @Test
    void shouldKeepStorageAndTransportOffTheCoreAgent()
    {
        noClasses().that().resideInAnyPackage("io.portask.storage..", "io.portask.transport..")
            .should().dependOnClassesThat().resideInAPackage("io.portask.core")
            .check(MAIN_CLASSES);
    }

    @Test
    void shouldKeepClassesSmall() throws IOException
    {
        final Path root = Path.of(System.getProperty("portask.root"));
        final List<String> tooLong = new ArrayList<>();
        for (final String module : List.of("api", "core", "storage", "transport", "client", "gateway"))
        {
            try (Stream<Path> files = Files.walk(root.resolve(module).resolve("src/main/java")))
            {
                for (final Path file : files.filter(path -> path.toString().endsWith(".java")).toList())
                {
                    final long lines = Files.readAllLines(file).size();
                    final long limit = file.endsWith("CoreAgent.java") ? 300 : 500;
                    if (lines > limit)
                    {
                        tooLong.add(root.relativize(file) + " has " + lines + " lines (at most " + limit + ")");
                    }
                }
            }
        }
        assertTrue(tooLong.isEmpty(), String.join("\n", tooLong));
    }
}
