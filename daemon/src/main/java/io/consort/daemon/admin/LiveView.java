package io.consort.daemon.admin;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The live view's page ({@code live.html} beside this class): plain HTML and script, no framework, fed by
 * {@code /api/events}. It keeps the last five minutes of figures in the browser, so the daemon keeps none.
 */
final class LiveView {
    private static final String PAGE = load();

    private LiveView() {
    }

    static String page() {
        return PAGE;
    }

    private static String load() {
        try (InputStream in = LiveView.class.getResourceAsStream("live.html")) {
            if (in == null) {
                throw new IllegalStateException("live.html is missing from the daemon's jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
