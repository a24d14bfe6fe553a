package io.portask.client;

import io.portask.protocol.sbe.StorageKind;

/**
 * A topic as ListTopics returns it.
 *
 * @param name       topic name.
 * @param partitions partition count.
 * @param storage    where its records live.
 */
public record TopicListing(String name, int partitions, StorageKind storage)
{
}
