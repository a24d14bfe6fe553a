package io.portask.ops;

import io.portask.config.Configuration;
import io.portask.core.acl.Acl;
import io.portask.transport.SecurityStore;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Set;

/**
 * {@code portask users add NAME | delete NAME | list} and {@code portask tokens create PRINCIPAL [--ttl 1h] | list |
 * revoke PRINCIPAL}: the broker's credentials in {@code DATA/security/}, edited on the broker's host (the broker
 * picks changes up within a second). A password is read from standard input, never from the command line; a token
 * is printed once and only its hash is kept.
 */
final class Security
{
    private Security()
    {
    }

    static int users(final String[] argv, final InputStream in, final PrintStream out)
    {
        final Args args = new Args(argv, 1, Set.of("data-dir"), Set.of());
        final Path folder = folder(args);
        final String action = args.positional(0, "users action: add, delete or list");
        switch (action)
        {
            case "add" ->
            {
                final String user = args.positional(1, "NAME");
                final String password = readPassword(in);
                SecurityStore.putUser(folder, user, password);
                out.println("user " + user + " set (SCRAM-SHA-256); the broker picks it up within a second");
            }
            case "delete" ->
            {
                final String user = args.positional(1, "NAME");
                if (!SecurityStore.deleteUser(folder, user))
                {
                    throw new Args.UsageException("no user " + user);
                }
                out.println("user " + user + " deleted");
            }
            case "list" -> SecurityStore.load(folder).users().keySet().forEach(out::println);
            default -> throw new Args.UsageException("unknown users action '" + action + "'");
        }
        return 0;
    }

    static int tokens(final String[] argv, final PrintStream out)
    {
        final Args args = new Args(argv, 1, Set.of("data-dir", "ttl"), Set.of());
        final Path folder = folder(args);
        final String action = args.positional(0, "tokens action: create, list or revoke");
        switch (action)
        {
            case "create" ->
            {
                final String principal = args.positional(1, "PRINCIPAL");
                final String ttl = args.option("ttl", null);
                final long expiresAtMs = null == ttl ? 0 : System.currentTimeMillis() + ttlMs(ttl);
                out.println(SecurityStore.createToken(folder, principal, expiresAtMs));
            }
            case "list" -> SecurityStore.load(folder).tokens().forEach((hash, token) -> out.println(
                token.principal() + "\tsha256:" + hash.substring(0, 12) + "\texpires " +
                (0 == token.expiresAtMs() ? "never" : Instant.ofEpochMilli(token.expiresAtMs()).toString())));
            case "revoke" ->
            {
                final String principal = args.positional(1, "PRINCIPAL");
                out.println("revoked " + SecurityStore.revokeTokens(folder, principal) + " token(s) of " + principal);
            }
            default -> throw new Args.UsageException("unknown tokens action '" + action + "'");
        }
        return 0;
    }

    static int acls(final String[] argv, final PrintStream out)
    {
        final Args args = new Args(argv, 1, Set.of("data-dir"), Set.of());
        final Path folder = folder(args);
        final String action = args.positional(0, "acls action: add, remove or list");
        switch (action)
        {
            case "add", "remove" ->
            {
                final StringBuilder line = new StringBuilder();
                for (int i = 1; i < args.positionalCount(); i++)
                {
                    line.append(i > 1 ? " " : "").append(args.positional(i, "RULE"));
                }
                final Acl rule;
                try
                {
                    rule = Acl.parse(line.toString());
                }
                catch (final IllegalArgumentException ex)
                {
                    throw new Args.UsageException(ex.getMessage());
                }
                final boolean changed = "add".equals(action) ? AclFile.add(folder, rule) : AclFile.remove(folder, rule);
                out.println(("add".equals(action) ? changed ? "added: " : "already there: " :
                    changed ? "removed: " : "no such rule: ") + rule);
                return changed || "add".equals(action) ? 0 : 1;
            }
            case "list" -> AclFile.read(folder).forEach(out::println);
            default -> throw new Args.UsageException("unknown acls action '" + action + "'");
        }
        return 0;
    }

    private static long ttlMs(final String ttl)
    {
        try
        {
            final long ms = Configuration.parseDurationMs(ttl);
            if (Long.MAX_VALUE == ms)
            {
                throw new IllegalArgumentException("unlimited");
            }
            return ms;
        }
        catch (final IllegalArgumentException | ArithmeticException ex)
        {
            throw new Args.UsageException("--ttl takes a duration like 30s, 12h or 7d, got '" + ttl + "'");
        }
    }

    private static Path folder(final Args args)
    {
        final String env = System.getenv("PORTASK_DATA_DIR");
        return SecurityStore.folder(Path.of(args.option("data-dir", null == env ? "data" : env)));
    }

    private static String readPassword(final InputStream in)
    {
        try
        {
            final String line = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).readLine();
            if (null == line || line.isEmpty())
            {
                throw new Args.UsageException("give the password on standard input, e.g. " +
                    "printf '%s\\n' \"$PASSWORD\" | portask users add NAME");
            }
            return line;
        }
        catch (final IOException ex)
        {
            throw new Args.UsageException("cannot read the password from standard input: " + ex.getMessage());
        }
    }
}
