package io.graceful.benchmark;

import io.fabric8.mockwebserver.crud.Attribute;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.crud.CrudDispatcher;
import java.lang.reflect.Field;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Makes the fabric8 CRUD mock server's single-object lookup O(1) instead of O(stored objects). The stock
 * {@code KubernetesCrudDispatcher.findResource} scans every stored object (a stream over the whole map, matching
 * attribute sets) for every GET, PATCH, PUT and POST of one object; at 10,000 Deployments plus their Events that scan
 * is what the mock server spends its time on, and the single event-loop thread it runs on saturates. Behaviour is
 * unchanged: the store is the same insertion-ordered synchronized map, plus an index from the {@code name} attribute
 * to the keys carrying it; a lookup checks its candidates with the same {@link AttributeSet#matches}. Lists and
 * watches still scan, as before. Every 200th lookup is also answered by the stock scan and compared
 * ({@link #mismatches()} must stay 0).
 */
final class IndexedStore {
  private final Map<Attribute, Set<AttributeSet>> byName = new HashMap<>();
  private final AtomicLong lookups = new AtomicLong();
  private final AtomicLong mismatches = new AtomicLong();
  private Map<AttributeSet, String> bound;

  private IndexedStore() {
  }

  /** Replaces the dispatcher's (protected final, empty) store with an indexed one; call before anything is stored. */
  static IndexedStore install(CrudDispatcher dispatcher) {
    IndexedStore store = new IndexedStore();
    store.bound = Collections.synchronizedMap(store.new IndexingMap());
    try {
      Field field = CrudDispatcher.class.getDeclaredField("map");
      field.setAccessible(true);
      field.set(dispatcher, store.bound);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot index the mock server's store", e);
    }
    if (dispatcher.getMap() != store.bound) {
      throw new IllegalStateException("the mock server's store could not be replaced");
    }
    return store;
  }

  /** The stock semantics (first stored entry whose key matches the query), from the index. */
  Map.Entry<AttributeSet, String> find(AttributeSet query, java.util.function.Supplier<Map.Entry<AttributeSet, String>>
      stock) {
    Attribute name = query.getAttribute("name");
    if (name == null) {
      return stock.get();
    }
    Map.Entry<AttributeSet, String> found = null;
    synchronized (bound) {
      Set<AttributeSet> candidates = byName.get(name);
      if (candidates != null) {
        for (AttributeSet key : candidates) {
          if (key.matches(query)) {
            String value = bound.get(key);
            if (value != null) {
              found = Map.entry(key, value);
              break;
            }
          }
        }
      }
    }
    if (lookups.incrementAndGet() % 200 == 0) {
      Map.Entry<AttributeSet, String> expected = stock.get();
      if (!java.util.Objects.equals(expected == null ? null : expected.getKey(), found == null ? null
          : found.getKey())) {
        mismatches.incrementAndGet();
      }
    }
    return found;
  }

  long lookups() {
    return lookups.get();
  }

  long mismatches() {
    return mismatches.get();
  }

  /** Insertion-ordered like the stock store; keeps {@link #byName} in step with puts and removes. */
  private final class IndexingMap extends LinkedHashMap<AttributeSet, String> {
    @Override
    public String put(AttributeSet key, String value) {
      index(key);
      return super.put(key, value);
    }

    @Override
    public String putIfAbsent(AttributeSet key, String value) {
      index(key);
      return super.putIfAbsent(key, value);
    }

    @Override
    public void putAll(Map<? extends AttributeSet, ? extends String> m) {
      m.forEach(this::put);
    }

    @Override
    public String remove(Object key) {
      String removed = super.remove(key);
      if (key instanceof AttributeSet set) {
        Attribute name = set.getAttribute("name");
        if (name != null) {
          Set<AttributeSet> keys = byName.get(name);
          if (keys != null) {
            keys.remove(set);
            if (keys.isEmpty()) {
              byName.remove(name);
            }
          }
        }
      }
      return removed;
    }

    @Override
    public void clear() {
      super.clear();
      byName.clear();
    }

    private void index(AttributeSet key) {
      Attribute name = key.getAttribute("name");
      if (name != null) {
        byName.computeIfAbsent(name, n -> new LinkedHashSet<>()).add(key);
      }
    }
  }
}
