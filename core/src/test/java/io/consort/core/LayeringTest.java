package io.consort.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Keeps core's package graph acyclic, bottom to top:
 * vocabulary → wire → ring → membership → groups → session → engine.
 *
 * <p>The root package holds two layers: the engine ({@link Engine} and its package-private parts,
 * on top) and the vocabulary every layer speaks (the other public types: service levels, view ids,
 * events, outputs, errors, the configuration), at the bottom; other modules import both from
 * {@code io.consort.core}, so they stay there. Every class
 * may use only its own layer and those below. The check reads the constant pools of the compiled
 * classes, so it sees every reference (fields, signatures, same-package use), not only imports.
 */
class LayeringTest {
    private static final List<String> LAYERS = List.of("vocabulary", "wire", "ring", "membership", "groups",
            "session", "engine");
    private static final Pattern REF = Pattern.compile("io/consort/core/[A-Za-z0-9_/$]+");

    private static final java.util.Set<String> ENGINE = new java.util.HashSet<>(List.of("Engine", "Replay"));

    /** The layer of class {@code name} (internal form, e.g. {@code io/consort/core/ring/Seq}), or null outside core. */
    static String layerOf(String name) {
        if (!name.startsWith("io/consort/core/")) {
            return null;
        }
        String rest = name.substring("io/consort/core/".length());
        int slash = rest.indexOf('/');
        if (slash < 0) {
            String top = rest.contains("$") ? rest.substring(0, rest.indexOf('$')) : rest;
            return top.equals("package-info") ? null : ENGINE.contains(top) ? "engine" : "vocabulary";
        }
        return rest.substring(0, slash);
    }

    @Test
    void everyClassUsesOnlyItsLayerAndThoseBelow() throws IOException, URISyntaxException {
        Path root = Path.of(Engine.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<String> violations = new ArrayList<>();
        Map<String, TreeSet<String>> edges = new java.util.TreeMap<>();
        int classes = 0;
        try (Stream<Path> files = Files.walk(root.resolve("io/consort/core"), 1)) {
            // Package-private top-level classes of the root package are the engine's parts.
            for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".class")
                    && !p.getFileName().toString().contains("$"))::iterator) {
                if (!isPublic(f)) {
                    ENGINE.add(f.getFileName().toString().replaceAll("\\.class$", ""));
                }
            }
        }
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".class"))::iterator) {
                String name = root.relativize(f).toString().replace('\\', '/').replaceAll("\\.class$", "");
                String from = layerOf(name);
                if (from == null) {
                    continue;
                }
                classes++;
                assertThat(LAYERS).as("layer of %s", name).contains(from);
                for (String ref : references(f)) {
                    String to = layerOf(ref);
                    if (to == null || to.equals(from)) {
                        continue;
                    }
                    edges.computeIfAbsent(from, k -> new TreeSet<>()).add(to);
                    if (!LAYERS.contains(to) || LAYERS.indexOf(to) > LAYERS.indexOf(from)) {
                        violations.add(name + " (" + from + ") uses " + ref + " (" + to + ")");
                    }
                }
            }
        }
        System.out.println("core package graph: " + edges + "; engine classes of the root package: "
                + new TreeSet<>(ENGINE));
        assertThat(classes).as("core classes found").isGreaterThan(50);
        assertThat(violations).isEmpty();
    }

    /** Whether the class file declares a public class (its access flags follow the constant pool). */
    private static boolean isPublic(Path classFile) throws IOException {
        int[] flags = new int[1];
        readConstantPool(classFile, flags);
        return (flags[0] & 0x0001) != 0;
    }

    /** The core class names a class file's constant pool mentions. */
    private static TreeSet<String> references(Path classFile) throws IOException {
        return readConstantPool(classFile, new int[1]);
    }

    private static TreeSet<String> readConstantPool(Path classFile, int[] accessFlags) throws IOException {
        TreeSet<String> refs = new TreeSet<>();
        try (InputStream in = Files.newInputStream(classFile); DataInputStream d = new DataInputStream(in)) {
            d.readInt();
            d.readUnsignedShort();
            d.readUnsignedShort();
            int count = d.readUnsignedShort();
            for (int i = 1; i < count; i++) {
                int tag = d.readUnsignedByte();
                switch (tag) {
                    case 1 -> {
                        Matcher m = REF.matcher(d.readUTF());
                        while (m.find()) {
                            refs.add(m.group());
                        }
                    }
                    case 3, 4, 9, 10, 11, 12, 17, 18 -> d.skipNBytes(4);
                    case 5, 6 -> {
                        d.skipNBytes(8);
                        i++; // takes two slots
                    }
                    case 7, 8, 16, 19, 20 -> d.skipNBytes(2);
                    case 15 -> d.skipNBytes(3);
                    default -> throw new IOException("constant pool tag " + tag + " in " + classFile);
                }
            }
            accessFlags[0] = d.readUnsignedShort();
        }
        return refs;
    }
}
