package io.consort.daemon.security;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * An allow-list: an identity may do what some rule grants it, nothing else. A rule names identities
 * (a {@link Glob} over identity names, or {@link #ANONYMOUS} for sessions without credentials),
 * permissions, and the group-name patterns they apply to (for {@link Permission#UNICAST}, patterns
 * over private names such as {@code #*#d1}; for {@link Permission#CONNECT}, the rule's user-name
 * patterns instead). Leaving is always allowed (see {@link Permission#LEAVE}).
 *
 * <pre>{@code
 * AccessRules rules = AccessRules.builder()
 *         .allow("*", EnumSet.allOf(Permission.class), "*")                    // every authenticated identity
 *         .allow(AccessRules.ANONYMOUS, Set.of(Permission.CONNECT, Permission.JOIN), "public.*")
 *         .build();
 * }</pre>
 */
public final class AccessRules implements AccessPolicy {
    /** The identity pattern that stands for the anonymous identity (and only for it). */
    public static final String ANONYMOUS = "anonymous";

    /**
     * One line of the list.
     *
     * @param identity    a glob over identity names, or {@link #ANONYMOUS}
     * @param permissions what it grants
     * @param groups      globs over the group names (private names for unicast) it grants them on
     * @param users       for {@link Permission#CONNECT}: globs over the user names the identity may
     *                    connect as, so that it cannot send under another's private name
     */
    public record Rule(String identity, Set<Permission> permissions, List<Glob> groups, List<Glob> users) {
        /** A rule that lets the identity connect under any user name. */
        public Rule(String identity, Set<Permission> permissions, List<Glob> groups) {
            this(identity, permissions, groups, List.of(Glob.of("*")));
        }

        public Rule {
            Objects.requireNonNull(identity, "identity");
            if (identity.isEmpty()) {
                throw new IllegalArgumentException("a rule needs an identity pattern (or anonymous)");
            }
            if (permissions.isEmpty()) {
                throw new IllegalArgumentException("a rule needs at least one permission");
            }
            permissions = Set.copyOf(EnumSet.copyOf(permissions));
            groups = List.copyOf(groups);
            if (groups.isEmpty()) {
                throw new IllegalArgumentException("a rule needs at least one group pattern (* for every group)");
            }
            users = List.copyOf(users);
            if (users.isEmpty()) {
                throw new IllegalArgumentException("a rule needs at least one user name pattern (* for any)");
            }
        }

        boolean covers(Identity who) {
            if (!who.authenticated()) {
                return identity.equals(ANONYMOUS);
            }
            return !identity.equals(ANONYMOUS) && Glob.of(identity).matches(who.name());
        }

        boolean grants(Permission what, String target) {
            if (!permissions.contains(what)) {
                return false;
            }
            for (Glob g : what == Permission.CONNECT ? users : groups) {
                if (g.matches(target)) {
                    return true;
                }
            }
            return false;
        }
    }

    private final List<Rule> rules;

    private AccessRules(List<Rule> rules) {
        this.rules = List.copyOf(rules);
    }

    /** A list to fill. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * What a daemon with authentication but no rules does: every authenticated identity may do
     * everything, the anonymous one nothing (not even connect).
     */
    public static AccessRules authenticatedOnly() {
        return builder().allow("*", EnumSet.allOf(Permission.class), "*").build();
    }

    public List<Rule> rules() {
        return rules;
    }

    @Override
    public boolean allows(Identity who, Permission what, String target) {
        if (what == Permission.LEAVE) {
            return true;
        }
        for (Rule r : rules) {
            if (r.covers(who) && r.grants(what, target)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AccessRules a && a.rules.equals(rules);
    }

    @Override
    public int hashCode() {
        return rules.hashCode();
    }

    @Override
    public String toString() {
        return "AccessRules" + rules;
    }

    /** Collects rules; {@link #build()} gives the immutable list. */
    public static final class Builder {
        private final List<Rule> rules = new ArrayList<>();

        private Builder() {
        }

        /** Grants {@code permissions} on groups matching any of {@code groups} to identities matching {@code identity}. */
        public Builder allow(String identity, Set<Permission> permissions, String... groups) {
            List<Glob> globs = new ArrayList<>();
            for (String g : groups) {
                globs.add(Glob.of(g));
            }
            return allow(new Rule(identity, permissions, globs));
        }

        public Builder allow(Rule rule) {
            rules.add(Objects.requireNonNull(rule, "rule"));
            return this;
        }

        public AccessRules build() {
            return new AccessRules(rules);
        }
    }
}
