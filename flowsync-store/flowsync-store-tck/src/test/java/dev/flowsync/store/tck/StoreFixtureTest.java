package dev.flowsync.store.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flowsync.core.store.Stores;
import dev.flowsync.core.store.memory.InMemoryStores;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("StoreFixture")
class StoreFixtureTest {

  @Test
  @DisplayName("store kinds follow from the stores given; other capabilities are declared")
  void capabilities() {
    Stores s = InMemoryStores.create();
    StoreFixture f =
        StoreFixture.builder()
            .presence(s.presence())
            .timers(s.timers())
            .capabilities(StoreCapability.NODE_LEASES)
            .build();

    assertThat(f.capabilities())
        .containsExactlyInAnyOrder(
            StoreCapability.PRESENCE, StoreCapability.TIMERS, StoreCapability.NODE_LEASES);
    assertThat(f.secondInstance()).isSameAs(f);
    assertThatThrownBy(f::rooms).isInstanceOf(IllegalStateException.class);
  }

  @Test
  @DisplayName("store kinds and SHARED_ACROSS_INSTANCES cannot be declared by hand")
  void notDeclarable() {
    assertThatThrownBy(() -> StoreFixture.builder().capabilities(StoreCapability.ROOMS))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () -> StoreFixture.builder().capabilities(StoreCapability.SHARED_ACROSS_INSTANCES))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  @DisplayName("a fixture needs a store, and a second instance must hold the same kinds")
  void validation() {
    Stores s = InMemoryStores.create();
    assertThatThrownBy(() -> StoreFixture.builder().build())
        .isInstanceOf(IllegalArgumentException.class);
    StoreFixture onlyTimers = StoreFixture.builder().timers(s.timers()).build();
    assertThatThrownBy(
            () ->
                StoreFixture.builder()
                    .timers(s.timers())
                    .presence(s.presence())
                    .sharedAcrossInstances(onlyTimers)
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("PRESENCE");
  }

  @Test
  @DisplayName("overlay swaps in only the stores the fixture has")
  void overlay() {
    Stores backend = InMemoryStores.create();
    Stores base = InMemoryStores.create();
    StoreFixture f = StoreFixture.builder().timers(backend.timers()).build();

    Stores combined = f.overlay(base);

    assertThat(combined.timers()).isSameAs(backend.timers());
    assertThat(combined.rooms()).isSameAs(base.rooms());
  }

  @Test
  @DisplayName("close closes the second instance, then the close actions last-added first")
  void closeOrder() throws Exception {
    List<String> closed = new ArrayList<>();
    Stores s = InMemoryStores.create();
    StoreFixture second =
        StoreFixture.builder().timers(s.timers()).onClose(() -> closed.add("second")).build();
    StoreFixture first =
        StoreFixture.builder()
            .timers(s.timers())
            .sharedAcrossInstances(second)
            .onClose(() -> closed.add("pool"))
            .onClose(() -> closed.add("schema"))
            .build();

    first.close();

    assertThat(first.supports(StoreCapability.SHARED_ACROSS_INSTANCES)).isTrue();
    assertThat(first.secondInstance()).isSameAs(second);
    assertThat(closed).containsExactly("second", "schema", "pool");
  }
}
