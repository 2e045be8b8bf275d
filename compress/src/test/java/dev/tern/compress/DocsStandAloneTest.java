package dev.tern.compress;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The project's docs stand alone in a clone (issue 18, item 9: the README pointed to
 * ../shared/DESIGN.md, which a clone does not have). Every relative Markdown link resolves
 * to a file or folder of the repository, and no link or code span points outside it.
 */
class DocsStandAloneTest {
    static final Path REPO = Paths.get(System.getProperty("tern.repo", "..")).toAbsolutePath().normalize();
    private static final Set<String> SKIP = Set.of(".git", "build", "target", "node_modules", ".mvn");
    /** [text](target): the target up to a space, '#' or ')'. */
    private static final Pattern LINK = Pattern.compile("\\]\\(([^)#\\s]*)(#[^)\\s]*)?\\)");
    /** A path that climbs out of its folder, in a link or a code span: ../x, ../../x. */
    private static final Pattern CLIMB = Pattern.compile("(?<![\\w.])((?:\\.\\./)+[\\w.-][\\w./-]*)");

    static List<Path> markdown() throws IOException {
        try (Stream<Path> s = Files.walk(REPO)) {
            return s.filter(p -> p.toString().endsWith(".md"))
                    .filter(p -> REPO.relativize(p).toString().isEmpty() || !skipped(REPO.relativize(p)))
                    .sorted().toList();
        }
    }

    private static boolean skipped(Path rel) {
        for (Path part : rel) {
            if (SKIP.contains(part.toString())) {
                return true;
            }
        }
        return false;
    }

    @Test
    void everyRelativeLinkResolvesInsideTheRepository() throws IOException {
        List<Path> docs = markdown();
        assertTrue(docs.contains(REPO.resolve("README.md")) && docs.contains(REPO.resolve("docs/ARCHITECTURE.md")), docs.toString());
        List<String> bad = new ArrayList<>();
        int links = 0;
        for (Path md : docs) {
            String text = Files.readString(md);
            Matcher m = LINK.matcher(text);
            while (m.find()) {
                String target = m.group(1);
                if (target.isEmpty() || target.contains(":")) { // an anchor in this file, or http:, mailto:
                    continue;
                }
                links++;
                Path p = md.getParent().resolve(target).normalize();
                if (!p.startsWith(REPO) || !Files.exists(p)) {
                    bad.add(REPO.relativize(md) + ": link " + target + (p.startsWith(REPO) ? " (missing)" : " (outside the repository)"));
                }
            }
        }
        assertTrue(links > 20, "the docs link to each other: " + links);
        assertTrue(bad.isEmpty(), String.join("\n", bad));
    }

    @Test
    void noPathClimbsOutOfTheRepository() throws IOException {
        List<String> bad = new ArrayList<>();
        for (Path md : markdown()) {
            String text = Files.readString(md);
            Matcher m = CLIMB.matcher(text);
            while (m.find()) {
                Path p = md.getParent().resolve(m.group(1)).normalize();
                if (!p.startsWith(REPO)) {
                    bad.add(REPO.relativize(md) + ": " + m.group(1));
                }
            }
        }
        assertTrue(bad.isEmpty(), "docs must stand alone in a clone:\n" + String.join("\n", bad));
    }
}
