/**
 * The store contract kit: the executable specification every FlowSync store implementation passes.
 * A backend extends {@link dev.flowsync.store.tck.StoreContractKit} and returns its stores from
 * {@link dev.flowsync.store.tck.StoreContractKit#createFixture()}; time moves on a {@link
 * dev.flowsync.store.tck.MutableClock}, never by sleeping.
 */
package dev.flowsync.store.tck;
