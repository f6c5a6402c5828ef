package dev.flowsync.core.store.memory;

import dev.flowsync.core.auth.AccessToken;
import dev.flowsync.core.auth.TokenStore;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** Tokens in a concurrent map keyed by token id. */
public final class InMemoryTokenStore implements TokenStore {
  private final ConcurrentHashMap<String, AccessToken> tokens = new ConcurrentHashMap<>();

  @Override
  public void save(AccessToken token) {
    tokens.put(token.tokenId(), token);
  }

  @Override
  public Optional<AccessToken> find(String tokenId) {
    return Optional.ofNullable(tokens.get(tokenId));
  }

  @Override
  public boolean delete(String tokenId) {
    return tokens.remove(tokenId) != null;
  }

  @Override
  public int deleteExpired(Instant now) {
    int before = tokens.size();
    tokens.values().removeIf(t -> t.isExpiredAt(now));
    return before - tokens.size();
  }
}
