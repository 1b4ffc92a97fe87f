package org.cnnc.compiler.pack;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

/** Writes a reproducible jar: entries sorted, every timestamp the same. */
final class JarWriter implements AutoCloseable {
    private static final FileTime EPOCH = FileTime.fromMillis(315_532_800_000L);   // 1980-01-01, the zip epoch

    private final JarOutputStream jar;
    private final java.util.Set<String> written = new java.util.HashSet<>();

    JarWriter(OutputStream out, Map<String, String> attributes) throws IOException {
        Manifest manifest = new Manifest();
        Attributes main = manifest.getMainAttributes();
        main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        attributes.forEach((k, v) -> main.put(new Attributes.Name(k), v));
        jar = new JarOutputStream(out);
        JarEntry entry = entry(JarFile.MANIFEST_NAME);
        jar.putNextEntry(entry);
        manifest.write(jar);
        jar.closeEntry();
        written.add(JarFile.MANIFEST_NAME);
    }

    /** Adds every file under {@code root}, named by its path relative to it. */
    void addTree(Path root) throws IOException {
        TreeMap<String, Path> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            walk.filter(Files::isRegularFile).forEach(p -> files.put(root.relativize(p).toString().replace('\\', '/'), p));
        }
        for (var e : files.entrySet()) {
            try (InputStream in = Files.newInputStream(e.getValue())) {
                add(e.getKey(), in);
            }
        }
    }

    /** Adds the class files of a jar or a classes directory (not its manifest). */
    void addClassesOf(Path location) throws IOException {
        if (Files.isDirectory(location)) {
            addTree(location);
            return;
        }
        try (JarFile source = new JarFile(location.toFile())) {
            TreeMap<String, JarEntry> entries = new TreeMap<>();
            source.stream().filter(e -> !e.isDirectory() && !e.getName().startsWith("META-INF/"))
                    .forEach(e -> entries.put(e.getName(), e));
            for (JarEntry e : entries.values()) {
                try (InputStream in = source.getInputStream(e)) {
                    add(e.getName(), in);
                }
            }
        }
    }

    void add(String name, InputStream in) throws IOException {
        if (!written.add(name)) return;
        jar.putNextEntry(entry(name));
        in.transferTo(jar);
        jar.closeEntry();
    }

    private static JarEntry entry(String name) {
        JarEntry e = new JarEntry(name);
        e.setLastModifiedTime(EPOCH);
        e.setCreationTime(EPOCH);
        e.setLastAccessTime(EPOCH);
        return e;
    }

    @Override
    public void close() throws IOException {
        jar.close();
    }
}
