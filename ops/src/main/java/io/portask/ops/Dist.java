package io.portask.ops;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

/**
 * {@code ./portask dist}: {@code target/portask-VERSION.tar.gz}, a Portask that runs from jars with a JDK 25 and
 * nothing else — {@code bin/portask} (start, broker, gateway, every CLI command), {@code lib/} (every runtime jar,
 * the ops classes jarred), {@code config/portask.properties} (every key, commented, with its default) and
 * {@code config/jvm.properties}, {@code systemd/} units for the broker and the gateway, and {@code install.sh}.
 * Built from a packaged source tree ({@code mvn package} wrote ops/target/runtime-classpath.txt).
 */
public final class Dist
{
    private Dist()
    {
    }

    /**
     * @param args the source root, then where the tarball goes.
     * @throws Exception when a file cannot be read or written, or tar fails.
     */
    public static void main(final String[] args) throws Exception
    {
        final Path tarball = build(Path.of(args[0]), Path.of(args[1]));
        System.out.println("built " + tarball);
    }

    /**
     * @return the tarball; its unpacked folder stays beside it.
     */
    static Path build(final Path root, final Path out) throws IOException, InterruptedException
    {
        final List<Path> jars = Stream.of(Files.readString(root.resolve("ops/target/runtime-classpath.txt")).trim()
            .split(java.io.File.pathSeparator)).map(Path::of).toList();
        final String version = jars.stream().map(jar -> jar.getFileName().toString())
            .filter(name -> name.startsWith("portask-core-")).findFirst()
            .map(name -> name.substring("portask-core-".length(), name.length() - ".jar".length()))
            .orElseThrow(() -> new IOException("no portask-core jar on the runtime classpath: run mvn package"));
        final String name = "portask-" + version;
        final Path dir = out.resolve(name);
        deleteTree(dir);
        final Path lib = Files.createDirectories(dir.resolve("lib"));
        for (final Path jar : jars)
        {
            Files.copy(jar, lib.resolve(jar.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        }
        jar(root.resolve("ops/target/classes"), lib.resolve("portask-ops-" + version + ".jar"), version);
        final Path template = root.resolve("ops/src/dist");
        try (Stream<Path> files = Files.walk(template))
        {
            for (final Path file : files.filter(Files::isRegularFile).toList())
            {
                final Path target = dir.resolve(template.relativize(file).toString());
                Files.createDirectories(target.getParent());
                Files.copy(file, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
        Files.copy(root.resolve("jvm.properties"), dir.resolve("config/jvm.properties"),
            StandardCopyOption.REPLACE_EXISTING);
        Files.copy(root.resolve("README.md"), dir.resolve("README.md"), StandardCopyOption.REPLACE_EXISTING);
        for (final String script : new String[]{ "bin/portask", "install.sh" })
        {
            Files.setPosixFilePermissions(dir.resolve(script), PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        final Path tarball = out.resolve(name + ".tar.gz");
        final Process tar = new ProcessBuilder("tar", "-czf", tarball.toString(), "-C", out.toString(), name)
            .inheritIO().start();
        if (0 != tar.waitFor())
        {
            throw new IOException("tar failed with " + tar.exitValue());
        }
        return tarball;
    }

    private static void jar(final Path classes, final Path jar, final String version) throws IOException
    {
        final Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.IMPLEMENTATION_VERSION, version);
        try (OutputStream file = Files.newOutputStream(jar);
            JarOutputStream out = new JarOutputStream(file, manifest);
            Stream<Path> entries = Files.walk(classes))
        {
            for (final Path entry : entries.filter(Files::isRegularFile).sorted().toList())
            {
                out.putNextEntry(new JarEntry(classes.relativize(entry).toString().replace('\\', '/')));
                Files.copy(entry, out);
                out.closeEntry();
            }
        }
    }

    private static void deleteTree(final Path dir) throws IOException
    {
        if (!Files.exists(dir))
        {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir))
        {
            for (final Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList())
            {
                Files.delete(path);
            }
        }
    }
}
