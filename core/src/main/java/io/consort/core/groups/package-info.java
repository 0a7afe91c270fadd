/** The replicated group table: group views, their causes and their ids. */
@NullMarked
package io.consort.core.groups;

import org.jspecify.annotations.NullMarked;
