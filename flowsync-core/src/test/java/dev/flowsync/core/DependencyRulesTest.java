package dev.flowsync.core;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** DESIGN.md's dependency rules for flowsync-core, checked on the compiled classes. */
@DisplayName("Core dependency rules")
class DependencyRulesTest {
  private static final JavaClasses CORE =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("dev.flowsync.core");

  @Test
  @DisplayName("core depends only on the JDK, SLF4J and itself")
  void onlyJdkAndSlf4j() {
    classes()
        .that()
        .resideInAPackage("dev.flowsync.core..")
        .should()
        .onlyDependOnClassesThat()
        .resideInAnyPackage("java..", "org.slf4j..", "dev.flowsync.core..")
        .check(CORE);
  }

  @Test
  @DisplayName("core never touches JDBC, RMI, AWT or Swing")
  void noHeavyJdkApis() {
    noClasses()
        .that()
        .resideInAPackage("dev.flowsync.core..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "java.sql..", "javax.sql..", "java.rmi..", "java.awt..", "javax.swing..")
        .check(CORE);
  }

  @Test
  @DisplayName("engines and the SPI never name an in-memory store; only the FlowSync facade does")
  void enginesDoNotKnowInMemoryStores() {
    noClasses()
        .that()
        .resideInAPackage("dev.flowsync.core..")
        .and()
        .resideOutsideOfPackage("dev.flowsync.core.store.memory..")
        .and()
        .doNotHaveFullyQualifiedName(FlowSync.class.getName())
        .and()
        .doNotHaveFullyQualifiedName(FlowSync.Builder.class.getName())
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.flowsync.core.store.memory..")
        .check(CORE);
  }

  @Test
  @DisplayName("the in-memory stores depend on the SPI, never on the engines or internals")
  void storesDoNotKnowEngines() {
    noClasses()
        .that()
        .resideInAPackage("dev.flowsync.core.store.memory..")
        .should()
        .dependOnClassesThat()
        .haveSimpleNameEndingWith("Engine")
        .orShould()
        .dependOnClassesThat()
        .resideInAPackage("dev.flowsync.core.internal..")
        .check(CORE);
  }
}
