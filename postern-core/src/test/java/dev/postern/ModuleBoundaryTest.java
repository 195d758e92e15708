package dev.postern;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaMember;
import com.tngtech.archunit.core.domain.JavaMethodCall;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;

import java.io.RandomAccessFile;
import java.util.Set;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.assignableTo;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.simpleNameContaining;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.simpleNameStartingWith;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.type;
import static com.tngtech.archunit.lang.conditions.ArchConditions.onlyHaveDependenciesWhere;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.members;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * The module's boundaries, checked on the compiled classes: the protocol stays sans-I/O, {@code message}
 * stays below {@code protocol}, and the exported API neither names Netty nor reaches into the machinery
 * (module-info.java exports only these four packages; the rest may change in any release).
 */
@AnalyzeClasses(packages = "dev.postern", importOptions = ImportOption.DoNotIncludeTests.class)
class ModuleBoundaryTest {

    /** The packages module-info.java exports, exactly (their {@code internal} subpackages are not). */
    private static final String[] EXPORTED = {"dev.postern", "dev.postern.auth", "dev.postern.proxy", "dev.postern.tls"};
    private static final String[] MACHINERY = {"dev.postern.protocol..", "dev.postern.netty..", "dev.postern.message.."};
    private static final String PROTOCOL = "dev.postern.protocol..";

    // ---------------------------------------------------------------- the protocol is sans-I/O (DESIGN.md principle 1)

    @ArchTest
    static final ArchRule protocolTouchesNoChannel = noClasses().that().resideInAPackage(PROTOCOL)
            .should().dependOnClassesThat().resideInAPackage("io.netty.channel..")
            .because("the transport moves the bytes; ByteBuf as a buffer type is all the protocol may know of Netty");

    @ArchTest
    static final ArchRule protocolTouchesNoFile = noClasses().that().resideInAPackage(PROTOCOL)
            .should().dependOnClassesThat(resideInAPackage("java.io").and(simpleNameStartingWith("File"))
                    .or(type(RandomAccessFile.class))
                    .or(resideInAnyPackage("java.nio.file..", "java.nio.channels.."))
                    .as("belong to the file API (java.io.File*, RandomAccessFile, java.nio.file, java.nio.channels)"))
            .because("message content goes to the MessageSink it is given, never to a file it opens");

    @ArchTest
    static final ArchRule protocolStartsNoThread = noClasses().that().resideInAPackage(PROTOCOL)
            .should().dependOnClassesThat(assignableTo(Thread.class)
                    .or(resideInAPackage("java.util.concurrent").and(simpleNameContaining("Executor")))
                    .as("are threads or executors"))
            .because("the transport decides on which thread the protocol runs");

    @ArchTest
    static final ArchRule protocolReadsNoClock = noClasses().that().resideInAPackage(PROTOCOL)
            .should().callMethodWhere(DescribedPredicate.describe(
                    "the target reads the system clock (System.currentTimeMillis or nanoTime, java.time's now() or system*())",
                    ModuleBoundaryTest::readsSystemClock))
            .because("time comes from the InstantSource the protocol is given");

    private static boolean readsSystemClock(JavaMethodCall call) {
        String owner = call.getTargetOwner().getName();
        String name = call.getName();
        return owner.equals("java.lang.System") && (name.equals("currentTimeMillis") || name.equals("nanoTime"))
                || owner.startsWith("java.time.") && (name.equals("now") || name.startsWith("system"));
    }

    // ---------------------------------------------------------------- dependency direction

    @ArchTest
    static final ArchRule messageIsBelowProtocol = noClasses().that().resideInAPackage("dev.postern.message..")
            .should().dependOnClassesThat().resideInAPackage(PROTOCOL)
            .because("the protocol stores content through message's sink interfaces, not the reverse");

    // ---------------------------------------------------------------- the exported API

    @ArchTest
    static final ArchRule apiSignaturesNameNoNettyType = members().that(arePublicApi())
            .should(nameNoNettyTypeInTheirSignature())
            .because("Netty is the transport's choice, not part of the API users compile against");

    /**
     * The one dependency of the API on the machinery: {@link SmtpServer} builds the Netty transport it
     * starts and stops. Everything else the API offers (hooks, sessions, configuration) is plain Java.
     */
    private static final Set<String> WIRING = Set.of("dev.postern.SmtpServer -> dev.postern.netty.NettyTransport");

    @ArchTest
    static final ArchRule apiReachesMachineryOnlyToWireIt = classes().that().resideInAnyPackage(EXPORTED)
            .should(onlyHaveDependenciesWhere(DescribedPredicate.describe(
                    "the target is no machinery (protocol, netty, message), or is one of " + WIRING,
                    ModuleBoundaryTest::isNoMachineryOrWiring)));

    private static boolean isNoMachineryOrWiring(Dependency d) {
        return !resideInAnyPackage(MACHINERY).test(d.getTargetClass())
                || WIRING.contains(d.getOriginClass().getName() + " -> " + d.getTargetClass().getName());
    }

    /** Public members of public types (public all the way out, for nested ones) in an exported package. */
    private static DescribedPredicate<JavaMember> arePublicApi() {
        return DescribedPredicate.describe("are public members of public types in exported packages",
                m -> m.getModifiers().contains(JavaModifier.PUBLIC) && isPublicApiType(m.getOwner()));
    }

    private static boolean isPublicApiType(JavaClass c) {
        if (!resideInAnyPackage(EXPORTED).test(c)) {
            return false;
        }
        for (JavaClass t = c; t != null; t = t.getEnclosingClass().orElse(null)) {
            if (!t.getModifiers().contains(JavaModifier.PUBLIC)) {
                return false;
            }
        }
        return true;
    }

    private static ArchCondition<JavaMember> nameNoNettyTypeInTheirSignature() {
        return new ArchCondition<>("name no io.netty type in their signature") {
            @Override
            public void check(JavaMember member, ConditionEvents events) {
                for (JavaClass type : member.getAllInvolvedRawTypes()) {
                    if (type.getPackageName().startsWith("io.netty")) {
                        events.add(SimpleConditionEvent.violated(member, member.getFullName() + " names " + type.getName()));
                    }
                }
            }
        };
    }
}
