package io.portask.ops;

import java.net.BindException;

/**
 * A broker or gateway that could not start, said in one line for the command line: a taken port names the
 * address and the key to change, a held data folder says who holds it; no stack trace.
 */
final class StartException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    StartException(final String what, final String address, final String portKey, final Exception cause)
    {
        super(describe(what, address, portKey, cause), cause);
    }

    private static String describe(
        final String what, final String address, final String portKey, final Exception cause)
    {
        for (Throwable t = cause; null != t; t = t.getCause())
        {
            final String message = String.valueOf(t.getMessage());
            if (t instanceof BindException || message.contains("Address already in use"))
            {
                return "the " + what + " cannot listen on " + address + ": the address is in use (another " + what +
                    "? choose another " + portKey + ")";
            }
        }
        Throwable root = cause;
        while (null != root.getCause() && null == root.getMessage())
        {
            root = root.getCause();
        }
        return "the " + what + " did not start: " +
            (null == root.getMessage() ? root.getClass().getSimpleName() : root.getMessage());
    }
}
