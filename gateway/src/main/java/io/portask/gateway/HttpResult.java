package io.portask.gateway;

/**
 * A successful HTTP answer: status and a JSON body (JsonObject or JsonArray), or null for none.
 *
 * @param status HTTP status.
 * @param body   JSON body or null.
 */
record HttpResult(int status, Object body)
{
}
