package io.consort.core;

/**
 * A range of ring wire versions, as a daemon speaks them and announces them in its joins. A ring
 * runs at one version that all its members speak, chosen by its representative (the highest that
 * the most members share) and carried by the commit token's header; every packet of that ring is
 * encoded at it. A daemon whose range shares nothing with a ring's is not admitted to it.
 *
 * <pre>{@code
 * WireVersions mine = WireVersions.SUPPORTED;      // 2..3
 * WireVersions pinned = WireVersions.upTo(2);     // a daemon held at the previous release's format
 * mine.speaks(2);                                 // true
 * mine.highestSharedWith(pinned);                 // 2
 * }</pre>
 *
 * @param min the oldest version, 1 to 255
 * @param max the newest version, {@code min} to 255
 */
public record WireVersions(int min, int max) {
    /** The oldest version this code encodes and decodes: release d560984's format, unchanged. */
    public static final int OLDEST = 2;
    /** The newest version this code speaks: version 2 whose joins also carry the sender's range. */
    public static final int NEWEST = 3;
    /**
     * The first version whose rings' items may be group-state reports in parts and messages with
     * origin bits (a Spread sender's service type and byte order). A ring at an older version gets
     * neither, so a daemon of release d560984 decodes every item it sees: its group report goes whole,
     * and a Spread sender's message goes without origin bits.
     */
    public static final int ITEMS_IN_PARTS = 3;
    /** Every version this code speaks. */
    public static final WireVersions SUPPORTED = new WireVersions(OLDEST, NEWEST);
    /** What a join of version 2 says about its sender, which cannot say more: it speaks version 2. */
    public static final WireVersions VERSION_2_ONLY = new WireVersions(2, 2);

    public WireVersions {
        if (min < 1 || max > 255 || min > max) {
            throw new IllegalArgumentException("wire versions " + min + ".." + max
                    + ": need 1 <= min <= max <= 255");
        }
    }

    /**
     * The versions from {@link #OLDEST} up to {@code max}, which this code must speak: the daemon
     * configuration's {@code ring.wireVersionMax}, to hold a daemon at an older version.
     */
    public static WireVersions upTo(int max) {
        if (max < OLDEST || max > NEWEST) {
            throw new IllegalArgumentException("wire version max " + max + " is not one this daemon speaks ("
                    + OLDEST + " to " + NEWEST + ")");
        }
        return new WireVersions(OLDEST, max);
    }

    /**
     * Whether a ring running at {@code ringVersion} carries {@link #ITEMS_IN_PARTS}'s items; 0 is a
     * daemon without a network, whose items never leave it.
     */
    public static boolean carriesItemsInParts(int ringVersion) {
        return ringVersion == 0 || ringVersion >= ITEMS_IN_PARTS;
    }

    /** Whether {@code version} is in the range. */
    public boolean speaks(int version) {
        return version >= min && version <= max;
    }

    /** The highest version both ranges hold, or -1 if they share none. */
    public int highestSharedWith(WireVersions other) {
        int v = Math.min(max, other.max);
        return v >= Math.max(min, other.min) ? v : -1;
    }

    @Override
    public String toString() {
        return min == max ? Integer.toString(min) : min + ".." + max;
    }
}
