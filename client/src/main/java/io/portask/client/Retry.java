package io.portask.client;

import io.portask.protocol.link.Reply;

import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * A request sent again, after a pause, while it fails in a way worth waiting out (a connection lost in the middle,
 * a cluster electing its leader).
 */
final class Retry
{
    private Retry()
    {
    }

    /**
     * @param request  sends the request and waits for its answer.
     * @param retrying which failures to wait out.
     * @param attempts how many times to send it again at most.
     * @param pauseMs  the pause before each.
     * @return the answer.
     * @throws PortaskException the last failure, when it is not one to wait out or the attempts are spent.
     */
    static Reply until(
        final Supplier<Reply> request, final Predicate<PortaskException> retrying, final int attempts,
        final long pauseMs)
    {
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                return request.get();
            }
            catch (final PortaskException ex)
            {
                if (!retrying.test(ex) || attempt >= attempts)
                {
                    throw ex;
                }
                ClientSockets.sleep(pauseMs);
            }
        }
    }
}
