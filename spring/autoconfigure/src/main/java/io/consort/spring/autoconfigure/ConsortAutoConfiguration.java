package io.consort.spring.autoconfigure;

import io.consort.reactive.ConsortClient;
import io.consort.reactive.Session;
import io.consort.daemon.DaemonOptions;
import io.consort.daemon.EmbeddedDaemon;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Auto-configuration of Consort: every bean here backs off when the application defines its own.
 *
 * <ul>
 *   <li>{@link EmbeddedDaemon} when {@code consort.embedded.enabled=true};</li>
 *   <li>{@link ConsortClient} from {@code consort.host/port/name/connect-timeout}, or aimed at the
 *       embedded daemon;</li>
 *   <li>one shared {@link Session}, connected at startup (a daemon that cannot be reached fails the
 *       start rather than the first request), wrapped in a {@link MeteredSession} when a
 *       {@link MeterRegistry} exists, and closed with the context by {@link ConsortSessionLifecycle};</li>
 *   <li>{@link ConsortHealthIndicator} when Spring Boot's health module is present.</li>
 * </ul>
 *
 * <pre>{@code
 * @RestController
 * class Orders {
 *     private final Session consort;
 *     Orders(Session consort) { this.consort = consort; }
 *
 *     @PostMapping("/orders")
 *     Mono<Void> place(@RequestBody String order) {
 *         return consort.multicast("orders", ServiceLevel.AGREED, order);
 *     }
 * }
 * }</pre>
 */
@AutoConfiguration(afterName = {
        "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
        "org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration"})
@ConditionalOnClass(ConsortClient.class)
@EnableConfigurationProperties(ConsortProperties.class)
public class ConsortAutoConfiguration {

    /** An in-process daemon; closed (every session with it) after the beans that use it. */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    @ConditionalOnProperty(prefix = "consort.embedded", name = "enabled", havingValue = "true")
    public EmbeddedDaemon consortEmbeddedDaemon(ConsortProperties properties) {
        ConsortProperties.Embedded embedded = properties.getEmbedded();
        return EmbeddedDaemon.start(DaemonOptions.defaults()
                .withHost(embedded.getHost())
                .withPort(embedded.getPort()));
    }

    @Bean
    @ConditionalOnMissingBean
    public ConsortClient consortClient(ConsortProperties properties, ObjectProvider<EmbeddedDaemon> embedded) {
        ConsortClient client = ConsortClient.create()
                .host(properties.getHost())
                .port(properties.getPort())
                .connectTimeout(properties.getConnectTimeout());
        String name = properties.getName();
        if (name != null && !name.isBlank()) {
            client = client.name(name);
        }
        client = SecurityProperties.apply(properties, client);
        EmbeddedDaemon daemon = embedded.getIfAvailable();
        // The embedded daemon may have picked its port: aim at where it really listens.
        return daemon == null ? client : client.host(daemon.host()).port(daemon.port());
    }

    @Bean
    @ConditionalOnMissingBean({Session.class, ConsortSessionLifecycle.class})
    public ConsortSessionLifecycle consortSessionLifecycle(ConsortClient client, ConsortProperties properties,
            ObjectProvider<SessionInstrumentation> instrumentation) {
        Session session = client.connect()
                // Netty's "Connection refused" names no address: say which daemon and which properties.
                .onErrorMap(e -> new IllegalStateException("cannot connect to the Consort daemon at " + client.host()
                        + ":" + client.port() + " (consort.host, consort.port, consort.embedded.enabled): " + e, e))
                .block(properties.getConnectTimeout().multipliedBy(2));
        if (session == null) {
            throw new IllegalStateException("connecting to the Consort daemon completed without a session");
        }
        SessionInstrumentation metrics = instrumentation.getIfAvailable();
        return new ConsortSessionLifecycle(metrics == null ? session : metrics.instrument(session),
                properties.getCloseTimeout());
    }

    /**
     * The shared session. Its destroy method is disabled on purpose: {@link Session#close()} returns a
     * {@code Mono} that Spring would call without subscribing; the lifecycle bean closes it instead.
     */
    @Bean(destroyMethod = "")
    @ConditionalOnMissingBean
    public Session consortSession(ConsortSessionLifecycle lifecycle) {
        return lifecycle.session();
    }

    /** Metrics, when the application has Micrometer and a registry. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(MeterRegistry.class)
    @ConditionalOnBean(MeterRegistry.class)
    @ConditionalOnProperty(prefix = "consort.metrics", name = "enabled", havingValue = "true", matchIfMissing = true)
    static class MetricsConfiguration {
        @Bean
        @ConditionalOnMissingBean
        SessionInstrumentation consortSessionInstrumentation(MeterRegistry registry) {
            return session -> new MeteredSession(session, registry);
        }
    }

    /** The health indicator, when the application has Spring Boot's health module. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(HealthIndicator.class)
    @ConditionalOnEnabledHealthIndicator("consort")
    static class HealthConfiguration {
        @Bean
        @ConditionalOnMissingBean(name = "consortHealthIndicator")
        ConsortHealthIndicator consortHealthIndicator(Session session, ConsortClient client) {
            return new ConsortHealthIndicator(session, client);
        }
    }
}
