package io.consort.daemon.security;

/**
 * Decides what an identity may do. Consulted by the daemon on the connection's event loop before a
 * request reaches the engine, so it must be fast and must not block. A denial fails that request
 * alone with ACCESS_DENIED (a CONNECT denial closes the connection); nothing else changes.
 *
 * <pre>{@code
 * AccessPolicy policy = AccessRules.builder()
 *         .allow("alice", Set.of(Permission.CONNECT, Permission.JOIN, Permission.SEND), "orders.*")
 *         .allow(AccessRules.ANONYMOUS, Set.of(Permission.CONNECT, Permission.JOIN), "public.*")
 *         .build();
 * }</pre>
 */
@FunctionalInterface
public interface AccessPolicy {
    /**
     * Whether {@code who} may do {@code what} to {@code target}: a group name, a private name for
     * {@link Permission#UNICAST}, the requested user name for {@link Permission#CONNECT}.
     */
    boolean allows(Identity who, Permission what, String target);

    /** Everything for everybody: Consort without access control. */
    static AccessPolicy allowAll() {
        return AllowAll.INSTANCE;
    }

    /** {@link #allowAll()}. */
    enum AllowAll implements AccessPolicy {
        INSTANCE;

        @Override
        public boolean allows(Identity who, Permission what, String target) {
            return true;
        }

        @Override
        public String toString() {
            return "allow-all";
        }
    }
}
