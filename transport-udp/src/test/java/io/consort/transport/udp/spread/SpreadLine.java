package io.consort.transport.udp.spread;

import java.util.LinkedHashMap;
import java.util.Map;

/** One spprobe answer line: its kind (MSG, MEMB, ...) and its key=value fields. */
record SpreadLine(String kind, Map<String, String> fields) {
    static SpreadLine parse(String line) {
        String[] parts = line.split(" ");
        Map<String, String> f = new LinkedHashMap<>();
        for (int i = 1; i < parts.length; i++) {
            int eq = parts[i].indexOf('=');
            if (eq > 0) {
                f.put(parts[i].substring(0, eq), parts[i].substring(eq + 1));
            }
        }
        return new SpreadLine(parts[0], f);
    }

    String get(String key) {
        String v = fields.get(key);
        if (v == null) {
            throw new AssertionError("no " + key + " in " + this);
        }
        return v;
    }
}
