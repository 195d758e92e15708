package dev.postern.server;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * postern-bom lists every published module at the reactor's version. A module is published unless its pom says
 * {@code <maven.deploy.skip>true</maven.deploy.skip>} (postern-server: it ships as the distribution). The BOM has no
 * parent, so its version is kept equal to the reactor's by this test.
 */
class BomTest {

    private static final Path ROOT = Launcher.ROOT;

    private static String read(Path pom) throws IOException {
        // Comments may quote XML; they are not the model.
        return Files.readString(pom).replaceAll("(?s)<!--.*?-->", "");
    }

    private static List<String> all(Pattern pattern, String text) {
        List<String> found = new ArrayList<>();
        Matcher m = pattern.matcher(text);
        while (m.find()) {
            found.add(m.group(1).strip());
        }
        return found;
    }

    /** The project's own version: the first version outside the parent block. */
    private static String version(String pom) {
        return all(Pattern.compile("<version>([^<]+)</version>"), pom.replaceAll("(?s)<parent>.*?</parent>", "")).get(0);
    }

    @Test
    void theBomManagesEveryPublishedModuleAtTheReactorsVersion() throws IOException {
        String root = read(ROOT.resolve("pom.xml"));
        String bom = read(ROOT.resolve("postern-bom/pom.xml"));
        List<String> modules = all(Pattern.compile("<module>([^<]+)</module>"), root);
        assertThat(modules).contains("postern-core", "postern-relay", "postern-server", "postern-bom");

        String managed = bom.substring(bom.indexOf("<dependencyManagement>"), bom.indexOf("</dependencyManagement>"));
        List<String> artifacts = all(Pattern.compile("<artifactId>([^<]+)</artifactId>"), managed);
        for (String module : modules) {
            String pom = read(ROOT.resolve(module).resolve("pom.xml"));
            boolean published = !module.equals("postern-bom") && !pom.contains("<maven.deploy.skip>true</maven.deploy.skip>");
            String artifactId = all(Pattern.compile("<artifactId>([^<]+)</artifactId>"), pom.replaceAll("(?s)<parent>.*?</parent>", ""))
                    .get(0);
            if (published) {
                assertThat(artifacts).as("published module " + module + " in postern-bom").contains(artifactId);
            } else {
                assertThat(artifacts).as("unpublished module " + module + " not in postern-bom").doesNotContain(artifactId);
            }
        }
        assertThat(all(Pattern.compile("<version>([^<]+)</version>"), managed)).as("every entry at the BOM's own version")
                .isNotEmpty().allMatch("${project.version}"::equals);
        assertThat(all(Pattern.compile("<groupId>([^<]+)</groupId>"), managed)).allMatch("dev.postern"::equals);
        assertThat(version(bom)).as("the BOM's version is the reactor's").isEqualTo(version(root));
        assertThat(bom).as("no parent: importing the BOM must pin nothing but Postern").doesNotContain("<parent>");
    }
}
