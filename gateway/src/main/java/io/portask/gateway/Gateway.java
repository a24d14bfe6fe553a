package io.portask.gateway;

import io.portask.protocol.CounterIds;
import io.portask.protocol.auth.TokenFile;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import org.agrona.concurrent.AgentRunner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The gateway process: HTTP REST and Prometheus metrics in front of the broker, over Aeron IPC. It holds no state
 * of its own; every request becomes SBE commands on the IPC link. Several gateways may serve one broker.
 * <pre>
 *   GET    /console                                  the operator console page (/ redirects there)
 *   GET    /health                                   broker reachable? (200 or 503)
 *   GET    /metrics                                  Prometheus text: broker counters and gateway requests
 *   GET    /api/v1/topics                            list
 *   POST   /api/v1/topics                            create {"name","partitions","storage",
 *                                                           "retentionMs","retentionBytes"}
 *   GET    /api/v1/topics/{t}                        partitions, offsets and retention in effect
 *   PATCH  /api/v1/topics/{t}                        alter {"retentionMs","retentionBytes"} (-1: broker default)
 *   DELETE /api/v1/topics/{t}                        delete
 *   POST   /api/v1/topics/{t}/records                publish {"key","value","headers"} or {"records":[...]}
 *   GET    /api/v1/topics/{t}/partitions/{p}/records?offset=&amp;limit=   fetch
 *   POST   /api/v1/consumers/{g}/offsets             commit {"topic","partition","offset"}
 *   GET    /api/v1/consumers/{g}/offsets/{t}/{p}     committed offset, -1 for none
 *   GET    /api/v1/groups                            consumer groups and their member counts
 *   GET    /api/v1/groups/{g}                        members, and per partition owner, committed offset and lag
 *   DELETE /api/v1/groups/{g}                        delete an empty group's committed offsets
 *   POST   /api/v1/groups/{g}/reset-offsets          {"topic","to":"earliest"|"latest"|N} on an empty group
 *   GET    /api/v1/connections                       the broker's TCP clients and gateways
 *   POST   /api/v1/admin/write-behind/pause|resume   operator actions; always need the token
 *   GET    /ws                                       WebSocket: subscribe, records, publish, ping
 *                                                    ({@link WebSocketSession}; token also as ?token=)
 * </pre>
 * Bodies are JSON, or CBOR when sent as {@code application/cbor} or asked for in Accept. Errors are 4xx/5xx with
 * {@code {"error","code","message"}}, the code being the wire error code. Bound to
 * anything but loopback, every route but /health needs {@code Authorization: Bearer TOKEN}.
 * <p>
 * Threading: Vert.x event loops for HTTP; the IPC link on its own thread.
 */
public final class Gateway implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);
    /** What {@code authenticate} answers for a caller it refuses (no principal holds a NUL). */
    private static final String REFUSED = "\u0000refused";
    private static final String PRINCIPAL = "portask.principal";

    private final GatewayContext ctx;
    private final BrokerLink link;
    private final AgentRunner linkRunner;
    private final Metrics metrics = new Metrics();
    private final TopicRoutes topics;
    private final GroupRoutes groups;
    private final OffsetRoutes offsets;
    private final Vertx vertx;
    private final List<String> routes = new ArrayList<>();
    private final TokenFile tokens;
    private volatile StaticToken staticToken;

    /**
     * The gateway's own token ({@code portask.gateway.token}) and the principal it stands for.
     */
    private record StaticToken(String token, String principal)
    {
    }
    private HttpServer server;

    private Gateway(final GatewayContext ctx)
    {
        this.ctx = ctx.conclude();
        this.staticToken = new StaticToken(ctx.token(), ctx.tokenPrincipal());
        this.link = new BrokerLink(ctx.aeronDir(), ctx.requestTimeout(), ctx.linkMaxParkNs());
        this.tokens = new TokenFile(ctx.securityDir().resolve("tokens"));
        this.linkRunner = new AgentRunner(link.idleStrategy(),
            error -> LOG.warn("gateway link error", error), null, link);
        this.topics = new TopicRoutes(link, ctx.compression());
        this.groups = new GroupRoutes(link);
        this.offsets = new OffsetRoutes(link);
        this.vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2).setWorkerPoolSize(2));
    }

    /**
     * Start a gateway: the IPC link, then the HTTP server.
     *
     * @param ctx settings.
     * @return the running gateway.
     */
    public static Gateway launch(final GatewayContext ctx)
    {
        final Gateway gateway = new Gateway(ctx);
        try
        {
            gateway.start();
        }
        catch (final Exception ex)
        {
            // Exception, not RuntimeException: a failed bind's IOException may be rethrown unchecked
            gateway.close();
            throw ex;
        }
        return gateway;
    }

    private void start()
    {
        AgentRunner.startOnThread(linkRunner, runnable -> new Thread(runnable, "portask-gateway-link"));
        final Router router = Router.router(vertx);
        router.route().handler(BodyHandler.create().setBodyLimit(ctx.maxBodyBytes()));
        router.get("/health").handler(this::health);
        routes.add("GET /health");
        final String openApi = resource("/portask/openapi.json");
        route(router, HttpMethod.GET, "/api/v1/openapi.json", "openapi",
            rc -> CompletableFuture.completedFuture(new HttpResult(200, new JsonObject(openApi))));
        route(router, HttpMethod.GET, "/metrics", "metrics", rc -> CompletableFuture.completedFuture(null));
        route(router, HttpMethod.GET, "/api/v1/topics", "topics.list", rc -> topics.list(principal(rc)));
        route(router, HttpMethod.POST, "/api/v1/topics", "topics.create",
            rc -> topics.create(principal(rc), Bodies.read(rc)));
        route(router, HttpMethod.GET, "/api/v1/topics/:topic", "topics.describe",
            rc -> topics.describe(principal(rc), rc.pathParam("topic")));
        route(router, HttpMethod.PATCH, "/api/v1/topics/:topic", "topics.alter",
            rc -> topics.alter(principal(rc), rc.pathParam("topic"), Bodies.read(rc)));
        route(router, HttpMethod.DELETE, "/api/v1/topics/:topic", "topics.delete",
            rc -> topics.delete(principal(rc), rc.pathParam("topic")));
        route(router, HttpMethod.POST, "/api/v1/topics/:topic/records", "records.publish",
            rc -> topics.publish(principal(rc), rc.pathParam("topic"), Bodies.read(rc)));
        route(router, HttpMethod.GET, "/api/v1/topics/:topic/partitions/:partition/records", "records.fetch",
            rc -> topics.fetch(principal(rc), rc.pathParam("topic"),
            intParam(rc, "partition", -1, 0, Integer.MAX_VALUE), longParam(rc, "offset", 0),
            intParam(rc, "limit", 100, 1, 10_000)));
        route(router, HttpMethod.GET, "/api/v1/connections", "connections", rc -> topics.connections(principal(rc)));
        route(router, HttpMethod.GET, "/api/v1/groups", "groups.list", rc -> groups.list(principal(rc)));
        route(router, HttpMethod.GET, "/api/v1/groups/:group", "groups.describe",
            rc -> groups.describe(principal(rc), rc.pathParam("group")));
        route(router, HttpMethod.DELETE, "/api/v1/groups/:group", "groups.delete",
            rc -> groups.delete(principal(rc), rc.pathParam("group")));
        route(router, HttpMethod.POST, "/api/v1/groups/:group/reset-offsets", "groups.reset",
            rc -> groups.resetOffsets(principal(rc), rc.pathParam("group"), Bodies.read(rc)));
        route(router, HttpMethod.POST, "/api/v1/admin/write-behind/pause", "admin.pause",
            rc -> topics.admin(principal(rc), io.portask.protocol.sbe.AdminAction.PAUSE_WRITE_BEHIND));
        route(router, HttpMethod.POST, "/api/v1/admin/write-behind/resume", "admin.resume",
            rc -> topics.admin(principal(rc), io.portask.protocol.sbe.AdminAction.RESUME_WRITE_BEHIND));
        route(router, HttpMethod.POST, "/api/v1/admin/config/reload", "admin.reload",
            rc -> topics.admin(principal(rc), io.portask.protocol.sbe.AdminAction.RELOAD_CONFIG));
        route(router, HttpMethod.POST, "/api/v1/consumers/:group/offsets", "offsets.commit",
            rc -> offsets.commit(principal(rc), rc.pathParam("group"), Bodies.read(rc)));
        route(router, HttpMethod.GET, "/api/v1/consumers/:group/offsets/:topic/:partition", "offsets.read",
            rc -> offsets.read(principal(rc), rc.pathParam("group"), rc.pathParam("topic"),
            intParam(rc, "partition", -1, 0, Integer.MAX_VALUE)));
        final String console = resource("/portask/console/index.html");
        router.get("/console").handler(rc -> rc.response().putHeader("content-type", "text/html; charset=utf-8")
            .end(console));
        router.get("/").handler(rc -> rc.redirect("/console"));
        routes.add("GET /console");
        routes.add("GET /");
        router.get("/ws").handler(rc ->
        {
            final String principal = authenticate(rc, rc.queryParams().get("token"));
            if (REFUSED.equals(principal))
            {
                respondError(rc, "ws", System.nanoTime(), new HttpError(401, "NOT_AUTHORIZED",
                    io.portask.protocol.ErrorCode.NOT_AUTHORIZED.code(), "a bearer token is required"));
                return;
            }
            final Context context = vertx.getOrCreateContext();
            rc.request().toWebSocket()
                .onSuccess(socket -> new WebSocketSession(socket, context, link, topics, metrics, principal))
                .onFailure(error -> LOG.debug("websocket upgrade failed", error));
        });
        routes.add("GET /ws");
        router.route().failureHandler(rc -> respondError(rc, "failed", System.nanoTime(), failureOf(rc)));
        router.route().last().handler(rc -> respondError(rc, "unknown", System.nanoTime(),
            new HttpError(404, "NOT_FOUND", 0, "no route " + rc.request().method() + " " + rc.request().path())));
        final HttpServerOptions options = new HttpServerOptions();
        if (null != ctx.tlsCertificate())
        {
            // HTTPS with the PEM files given; TLS 1.3 only, as the broker's TLS port
            options.setSsl(true).setEnabledSecureTransportProtocols(Set.of("TLSv1.3")).setKeyCertOptions(
                new PemKeyCertOptions().setCertPath(ctx.tlsCertificate()).setKeyPath(ctx.tlsKey()));
        }
        server = vertx.createHttpServer(options).requestHandler(router).listen(ctx.port(), ctx.bindAddress())
            .toCompletionStage().toCompletableFuture().join();
        LOG.info("portask gateway listening on {}://{}:{} (broker IPC in {})", null == ctx.tlsCertificate() ?
            "http" : "https", ctx.bindAddress(), server.actualPort(), ctx.aeronDir());
    }

    private void route(
        final Router router,
        final HttpMethod method,
        final String path,
        final String name,
        final Function<RoutingContext, CompletableFuture<HttpResult>> handler)
    {
        routes.add(method.name() + " " + path.replaceAll(":([a-z]+)", "{$1}"));
        router.route(method, path).handler(rc ->
        {
            final long startNs = System.nanoTime();
            if (name.startsWith("admin.") && null == staticToken.token())
            {
                respondError(rc, name, startNs, new HttpError(403, "NOT_AUTHORIZED",
                    io.portask.protocol.ErrorCode.NOT_AUTHORIZED.code(),
                    "admin routes need portask.gateway.token to be set, and the token on the request"));
                return;
            }
            final String principal = authenticate(rc, null);
            if (REFUSED.equals(principal))
            {
                respondError(rc, name, startNs, new HttpError(401, "NOT_AUTHORIZED",
                    io.portask.protocol.ErrorCode.NOT_AUTHORIZED.code(), "a valid bearer token is required"));
                return;
            }
            rc.put(PRINCIPAL, principal);
            if ("metrics".equals(name))
            {
                rc.response().putHeader("content-type", "text/plain; version=0.0.4").end(metrics.render(link.aeron()));
                metrics.onRequest(name, 200, System.nanoTime() - startNs);
                return;
            }
            final Context context = vertx.getOrCreateContext();
            CompletableFuture<HttpResult> result;
            try
            {
                result = handler.apply(rc);
            }
            catch (final RuntimeException ex)
            {
                result = CompletableFuture.failedFuture(ex);
            }
            result.whenComplete((ok, error) -> context.runOnContext(ignored ->
            {
                if (null != error)
                {
                    respondError(rc, name, startNs, HttpError.of(error));
                }
                else
                {
                    respond(rc, name, startNs, ok);
                }
            }));
        });
    }

    private HttpError failureOf(final RoutingContext rc)
    {
        if (413 == rc.statusCode())
        {
            return new HttpError(413, "MESSAGE_TOO_LARGE", io.portask.protocol.ErrorCode.MESSAGE_TOO_LARGE.code(),
                "the body exceeds portask.gateway.max.body.bytes, " + ctx.maxBodyBytes());
        }
        if (null != rc.failure())
        {
            return HttpError.of(rc.failure());
        }
        return new HttpError(rc.statusCode(), "HTTP_" + rc.statusCode(), 0, "the request failed");
    }

    /**
     * Who the caller is: the principal of its bearer token (the gateway's own {@code portask.gateway.token} maps to
     * {@code portask.gateway.token.principal}, a token made with {@code portask tokens create} to its principal),
     * null for an anonymous caller where the gateway allows them (loopback, no gateway token), else REFUSED.
     */
    private String authenticate(final RoutingContext rc, final String queryToken)
    {
        final String header = rc.request().getHeader("Authorization");
        final String token = null != header && header.startsWith("Bearer ") ? header.substring(7) : queryToken;
        if (null == token)
        {
            return null == staticToken.token() ? null : REFUSED;
        }
        final StaticToken gatewayToken = staticToken;
        if (token.equals(gatewayToken.token()))
        {
            return gatewayToken.principal();
        }
        final String principal = tokens.principalOf(token, System.currentTimeMillis());
        return null == principal ? REFUSED : principal;
    }

    /**
     * Change the gateway's own token and its principal (a configuration reload); null for no token. Any thread.
     */
    public void staticToken(final String token, final String principal)
    {
        staticToken = new StaticToken(token, principal);
    }

    private static String principal(final RoutingContext rc)
    {
        return rc.get(PRINCIPAL);
    }

    private void health(final RoutingContext rc)
    {
        final boolean up = link.isBrokerUp();
        final JsonObject broker = new JsonObject().put("reachable", up).put("timeMs", link.brokerTimeMs());
        final io.aeron.Aeron aeron = link.aeron();
        if (up && null != aeron && !aeron.isClosed())
        {
            broker.put("storage", storageState(aeron.countersReader()));
            final JsonObject cluster = clusterState(aeron.countersReader());
            if (null != cluster)
            {
                broker.put("cluster", cluster);
            }
        }
        rc.response().setStatusCode(up ? 200 : 503).putHeader("content-type", "application/json")
            .end(new JsonObject().put("status", up ? "UP" : "DOWN").put("broker", broker).encode());
    }

    /**
     * @return the broker's place in its cluster (docs/replication.md), or null when it is not a cluster node.
     */
    private static JsonObject clusterState(final org.agrona.concurrent.status.CountersReader counters)
    {
        final long[] state = { -1, -1, -1 };
        counters.forEach((counterId, typeId, key, label) ->
        {
            final int index = typeId - CounterIds.CLUSTER_NODE; // node, leader, log position: consecutive ids
            if (index >= 0 && index < state.length)
            {
                state[index] = counters.getCounterValue(counterId);
            }
        });
        if (state[0] < 0)
        {
            return null;
        }
        return new JsonObject().put("node", state[0]).put("leader", state[1])
            .put("role", state[0] == state[1] ? "leader" : state[1] < 0 ? "electing" : "follower")
            .put("logPosition", state[2]);
    }

    private static JsonObject storageState(final org.agrona.concurrent.status.CountersReader counters)
    {
        final JsonObject storage = new JsonObject();
        final long[] lag = { 0 };
        final String[] circuit = { null };
        counters.forEach((counterId, typeId, key, label) ->
        {
            final long value = counters.getCounterValue(counterId);
            if (CounterIds.WRITE_BEHIND_CIRCUIT == typeId)
            {
                circuit[0] = 0 == value ? "closed" : 1 == value ? "open" : "half-open";
            }
            else if (CounterIds.WRITE_BEHIND_LAG_RECORDS == typeId)
            {
                lag[0] += value;
            }
            else if (CounterIds.MEMORY_BYTES_HELD == typeId)
            {
                storage.put("memoryBytesHeld", value);
            }
            else if (CounterIds.ERRORS_RECORDED == typeId)
            {
                storage.put("errorsRecorded", value);
            }
        });
        storage.put("writeBehind", null == circuit[0] ? new JsonObject().put("enabled", false) :
            new JsonObject().put("enabled", true).put("circuit", circuit[0]).put("lagRecords", lag[0]));
        return storage;
    }

    private void respond(final RoutingContext rc, final String name, final long startNs, final HttpResult result)
    {
        metrics.onRequest(name, result.status(), System.nanoTime() - startNs);
        if (null == result.body())
        {
            rc.response().setStatusCode(result.status()).end();
            return;
        }
        Bodies.write(rc, result.status(), result.body());
    }

    private void respondError(final RoutingContext rc, final String name, final long startNs, final HttpError error)
    {
        metrics.onRequest(name, error.status(), System.nanoTime() - startNs);
        Bodies.write(rc, error.status(), error.toJson());
    }

    private static int intParam(final RoutingContext rc, final String name, final int fallback, final int min,
        final int max)
    {
        final long value = longParam(rc, name, fallback);
        if (value < min || value > max)
        {
            throw new IllegalArgumentException(name + " must be in [" + min + ", " + max + "], got " + value);
        }
        return (int)value;
    }

    private static long longParam(final RoutingContext rc, final String name, final long fallback)
    {
        final String text = null != rc.pathParam(name) ? rc.pathParam(name) : rc.queryParams().get(name);
        if (null == text)
        {
            return fallback;
        }
        try
        {
            return Long.parseLong(text);
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(name + " must be a number, got '" + text + "'");
        }
    }

    private static String resource(final String name)
    {
        try (InputStream in = Gateway.class.getResourceAsStream(name))
        {
            return new String(Objects.requireNonNull(in, name).readAllBytes(), StandardCharsets.UTF_8);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * @return every route served, as "METHOD /path/{param}", for the OpenAPI check.
     */
    public List<String> routes()
    {
        return List.copyOf(routes);
    }

    /**
     * @return the HTTP port bound.
     */
    public int port()
    {
        return server.actualPort();
    }

    /**
     * Stop the HTTP server and the IPC link.
     */
    public void close()
    {
        if (null != server)
        {
            server.close().toCompletionStage().toCompletableFuture().orTimeout(5, TimeUnit.SECONDS).join();
        }
        vertx.close().toCompletionStage().toCompletableFuture().orTimeout(5, TimeUnit.SECONDS).join();
        linkRunner.close();
    }
}
