package io.consort.daemon.security;

/**
 * What a session may do, checked where Spread's access control checks: when it connects, joins,
 * leaves, multicasts to groups, and sends to a private group (unicast).
 *
 * <pre>{@code
 * policy.allows(identity, Permission.SEND, "orders");
 * }</pre>
 */
public enum Permission {
    /** Open a session at all (the target is the requested user name). */
    CONNECT,
    /** Join a group, and so receive its messages and views. */
    JOIN,
    /**
     * Leave a group. {@link AccessRules} always allow it: a member that may no longer leave would keep
     * receiving; the hook is there for other policies.
     */
    LEAVE,
    /** Multicast to a group (each destination of a message is checked). */
    SEND,
    /** Send to a session's private group {@code #user#daemon}. */
    UNICAST
}
