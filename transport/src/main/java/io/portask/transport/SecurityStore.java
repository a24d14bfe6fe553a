package io.portask.transport;

import io.portask.protocol.auth.Scram;
import io.portask.protocol.auth.TokenFile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Users and tokens the broker authenticates, in {@code DATA/security/}: {@code users} holds each user's SCRAM-SHA-256
 * credential (salt, iterations, StoredKey, ServerKey: never the password), {@code tokens} the SHA-256 of each bearer
 * token with its principal and expiry (never the token). Files are written atomically (temp file, rename) with
 * owner-only permissions by {@code portask users|tokens}; the broker reads a snapshot and reloads it when a file
 * changes ({@link #reloadIfChanged}).
 *
 * @param users  credential by user.
 * @param tokens principal and expiry by token hash (hex).
 */
public record SecurityStore(Map<String, Scram.Credential> users, Map<String, Token> tokens)
{
    private static final SecureRandom RANDOM = new SecureRandom();

    /**
     * A bearer token's entry.
     *
     * @param principal   who it authenticates.
     * @param expiresAtMs epoch ms it stops working, or 0 for never.
     */
    public record Token(String principal, long expiresAtMs)
    {
    }

    /**
     * @return the folder under the data folder.
     */
    public static Path folder(final Path dataDir)
    {
        return dataDir.resolve("security");
    }

    /**
     * @return what the folder holds (empty when it has no files).
     */
    public static SecurityStore load(final Path folder)
    {
        final Map<String, Scram.Credential> users = new TreeMap<>();
        for (final String[] fields : lines(folder.resolve("users")))
        {
            if (6 == fields.length && Scram.MECHANISM.equals(fields[1]))
            {
                final Base64.Decoder base64 = Base64.getDecoder();
                users.put(fields[0], new Scram.Credential(base64.decode(fields[3]), Integer.parseInt(fields[2]),
                    base64.decode(fields[4]), base64.decode(fields[5])));
            }
        }
        final Map<String, Token> tokens = new TreeMap<>();
        for (final String[] fields : lines(folder.resolve("tokens")))
        {
            if (3 == fields.length)
            {
                tokens.put(fields[0], new Token(fields[1], Long.parseLong(fields[2])));
            }
        }
        return new SecurityStore(Map.copyOf(users), Map.copyOf(tokens));
    }

    /**
     * @return the stamp of the folder's files, to see whether they changed.
     */
    public static long stamp(final Path folder)
    {
        long stamp = 0;
        for (final String name : new String[]{ "users", "tokens" })
        {
            try
            {
                final Path file = folder.resolve(name);
                stamp = 31 * stamp + (Files.exists(file) ? Files.getLastModifiedTime(file).toMillis() +
                    Files.size(file) : 0);
            }
            catch (final IOException ex)
            {
                stamp = 31 * stamp - 1;
            }
        }
        return stamp;
    }

    /**
     * @param user a user name.
     * @return its credential, or null.
     */
    public Scram.Credential scram(final String user)
    {
        return users.get(user);
    }

    /**
     * @param token a bearer token as presented.
     * @param nowMs the time now.
     * @return its principal, or null when it is unknown or expired.
     */
    public String principalOfToken(final String token, final long nowMs)
    {
        final Token entry = tokens.get(TokenFile.hash(token));
        return null == entry || (0 != entry.expiresAtMs() && nowMs >= entry.expiresAtMs()) ? null : entry.principal();
    }

    /**
     * Add or replace a user (the CLI).
     */
    public static void putUser(final Path folder, final String user, final String password)
    {
        requireName(user, "user name");
        final Scram.Credential credential = Scram.Credential.create(password, Scram.DEFAULT_ITERATIONS);
        final Base64.Encoder base64 = Base64.getEncoder();
        rewrite(folder.resolve("users"), user, String.join(" ", user, Scram.MECHANISM,
            Integer.toString(credential.iterations()), base64.encodeToString(credential.salt()),
            base64.encodeToString(credential.storedKey()), base64.encodeToString(credential.serverKey())));
    }

    /**
     * @return true when the user was there.
     */
    public static boolean deleteUser(final Path folder, final String user)
    {
        return rewrite(folder.resolve("users"), user, null);
    }

    /**
     * Make a new bearer token for a principal (the CLI).
     *
     * @return the token, shown once: only its hash is kept.
     */
    public static String createToken(final Path folder, final String principal, final long expiresAtMs)
    {
        requireName(principal, "principal");
        final byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        final String token = "ptk_" + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        rewrite(folder.resolve("tokens"), TokenFile.hash(token), String.join(" ", TokenFile.hash(token), principal,
            Long.toString(expiresAtMs)));
        return token;
    }

    /**
     * @return how many tokens of the principal were revoked.
     */
    public static int revokeTokens(final Path folder, final String principal)
    {
        final List<String[]> kept = new ArrayList<>();
        int revoked = 0;
        for (final String[] fields : lines(folder.resolve("tokens")))
        {
            if (fields.length > 1 && principal.equals(fields[1]))
            {
                revoked++;
            }
            else
            {
                kept.add(fields);
            }
        }
        write(folder.resolve("tokens"), kept.stream().map(fields -> String.join(" ", fields)).toList());
        return revoked;
    }

    private static void requireName(final String name, final String what)
    {
        if (name.isEmpty() || name.length() > 255 || !name.matches("[A-Za-z0-9._@:-]+"))
        {
            throw new IllegalArgumentException(what + " '" + name + "' must be 1-255 of A-Z a-z 0-9 . _ @ : -");
        }
    }

    /**
     * Replace the line keyed by {@code key} (its first field) with {@code line}, or remove it when null.
     *
     * @return true when a line had that key.
     */
    private static boolean rewrite(final Path file, final String key, final String line)
    {
        final List<String> out = new ArrayList<>();
        boolean found = false;
        for (final String[] fields : lines(file))
        {
            if (key.equals(fields[0]))
            {
                found = true;
            }
            else
            {
                out.add(String.join(" ", fields));
            }
        }
        if (null != line)
        {
            out.add(line);
        }
        write(file, out);
        return found;
    }

    /**
     * @return the file's lines split on spaces, without blank lines and # comments (empty when it does not exist).
     */
    public static List<String[]> lines(final Path file)
    {
        if (!Files.exists(file))
        {
            return List.of();
        }
        try
        {
            return Files.readAllLines(file, StandardCharsets.UTF_8).stream().map(String::trim)
                .filter(line -> !line.isEmpty() && !line.startsWith("#")).map(line -> line.split(" ")).toList();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read " + file, ex);
        }
    }

    /**
     * Replace the file's content atomically (temp file, rename), owner-only permissions, its folder 0700.
     */
    public static void write(final Path file, final List<String> lines)
    {
        try
        {
            final Path folder = file.getParent();
            Files.createDirectories(folder);
            setPermissions(folder, "rwx------");
            final Path temp = folder.resolve(file.getFileName() + ".tmp");
            Files.write(temp, lines, StandardCharsets.UTF_8);
            setPermissions(temp, "rw-------");
            try
            {
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
            catch (final AtomicMoveNotSupportedException ex)
            {
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot write " + file, ex);
        }
    }

    private static void setPermissions(final Path path, final String permissions) throws IOException
    {
        if (path.getFileSystem().supportedFileAttributeViews().contains("posix"))
        {
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(permissions));
        }
    }
}
