package dev.flowsync.signaling;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("DESIGN.md: signaling knows no transport and no concrete store")
class DependencyRulesTest {

  @Test
  @DisplayName("no Jetty, Jakarta WebSocket or store driver in dev.flowsync.signaling")
  void transportNeutral() {
    noClasses()
        .that()
        .resideInAPackage("dev.flowsync.signaling..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "org.eclipse.jetty..",
            "jakarta.websocket..",
            "redis.clients..",
            "org.jooq..",
            "java.sql..")
        .check(
            new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.flowsync.signaling"));
  }
}
