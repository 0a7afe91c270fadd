package io.consort.samples.guide;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** docs/GUIDE.md quotes OrderingRecipes verbatim: this fails when either side changes without the other. */
class GuideSnippetsTest {
    private static final Path GUIDE = Path.of("../../docs/GUIDE.md");
    private static final Path SOURCE = Path.of("src/main/java/io/consort/samples/guide/OrderingRecipes.java");
    private static final Pattern IN_GUIDE = Pattern.compile("<!-- snippet: ([a-z-]+) -->\\n```java\\n(.*?)\\n```",
            Pattern.DOTALL);
    private static final Pattern IN_SOURCE = Pattern.compile("// tag::([a-z-]+)\\[]\\n(.*?)\\n\\s*// end::\\1\\[]",
            Pattern.DOTALL);

    @Test
    void everySnippetOfTheGuideIsTheCodeOfItsTag() throws IOException {
        Map<String, String> guide = regions(IN_GUIDE, Files.readString(GUIDE));
        Map<String, String> source = regions(IN_SOURCE, Files.readString(SOURCE));
        assertThat(guide.keySet()).as("snippets in %s", GUIDE).containsExactlyElementsOf(source.keySet());
        source.forEach((name, code) -> assertThat(guide.get(name))
                .as("snippet '%s': docs/GUIDE.md differs from %s; copy the tagged region over", name, SOURCE)
                .isEqualTo(code));
    }

    private static Map<String, String> regions(Pattern pattern, String text) {
        Map<String, String> found = new LinkedHashMap<>();
        Matcher m = pattern.matcher(text);
        while (m.find()) {
            found.put(m.group(1), dedent(m.group(2)));
        }
        return found;
    }

    /** Removes the indentation all lines share, as the guide's blocks start at column 0. */
    private static String dedent(String block) {
        List<String> lines = block.lines().toList();
        int common = lines.stream().filter(l -> !l.isBlank())
                .mapToInt(l -> l.length() - l.stripLeading().length()).min().orElse(0);
        return String.join("\n", lines.stream().map(l -> l.isBlank() ? "" : l.substring(common)).toList());
    }
}
