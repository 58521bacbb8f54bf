package io.snapsync.arch;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The packages under io.snapsync are layers: a dependency only points down, so no two packages (nor a longer
 * ring of them) use each other. Read from the compiled production classes, so a type used without an import
 * line (same-package lookups, fully qualified names, javadoc excluded) counts as it does at run time.
 */
class PackageCyclesTest {

    @Test
    void packagesAreFreeOfCycles() {
        JavaClasses classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_JARS)
                .importPackages("io.snapsync");
        slices().matching("io.snapsync.(*)..").should().beFreeOfCycles().check(classes);
    }
}
