package io.natsboot.spring.core;

/** What a {@link ReactiveNatsTemplate#subscribe} flux does when its subscriber falls behind its buffer. */
public enum SlowConsumerPolicy {
    /** Drop the newest messages and count them ({@link ReactiveNatsTemplate#getDroppedCount()}). */
    DROP,
    /** Fail the flux with an overflow error. */
    ERROR
}
