/**
 * Spring Boot auto-configuration for Consort: a {@link io.consort.reactive.ConsortClient}, one shared
 * {@link io.consort.reactive.Session} closed with the application context, an optional in-process daemon,
 * a health indicator and Micrometer metrics, all from {@code consort.*} properties.
 */
@NullMarked
package io.consort.spring.autoconfigure;

import org.jspecify.annotations.NullMarked;
