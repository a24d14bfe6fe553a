package io.portask.gateway;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class GatewayContextTest
{
    @Test
    void shouldRequireATokenWhenBoundBeyondLoopback()
    {
        final IllegalStateException ex = assertThrows(IllegalStateException.class,
            () -> new GatewayContext().bindAddress("0.0.0.0").conclude());
        assertEquals("portask.gateway.token must be set when the gateway binds to 0.0.0.0 (anything but loopback)",
            ex.getMessage());
        new GatewayContext().bindAddress("0.0.0.0").token("t").conclude();
        new GatewayContext().bindAddress("127.0.0.1").conclude();
        new GatewayContext().bindAddress("::1").conclude();
    }
}
