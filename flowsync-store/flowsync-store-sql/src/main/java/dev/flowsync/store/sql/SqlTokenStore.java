package dev.flowsync.store.sql;

import static dev.flowsync.store.sql.internal.jooq.Tables.FS_TOKENS;
import static dev.flowsync.store.sql.internal.jooq.Tables.FS_TOKEN_ROOMS;
import static org.jooq.impl.DSL.select;

import dev.flowsync.core.auth.AccessToken;
import dev.flowsync.core.auth.TokenStore;
import dev.flowsync.core.store.StoreHealth;
import dev.flowsync.store.sql.internal.SqlDb;
import dev.flowsync.store.sql.internal.SqlHealth;
import dev.flowsync.store.sql.internal.jooq.tables.records.FsTokensRecord;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/**
 * Access tokens in tables {@code fs_tokens} and {@code fs_token_rooms} (the room grants), keyed by
 * the token id (the SHA-256 of the secret token, never the token itself). Revoking is deleting.
 * Failures throw {@link dev.flowsync.core.FlowSyncException.UnavailableException}.
 */
public final class SqlTokenStore implements TokenStore, StoreHealth {
  private final SqlDb db;
  private final SqlHealth health;

  SqlTokenStore(SqlDb db, SqlHealth health) {
    this.db = db;
    this.health = health;
  }

  @Override
  public void save(AccessToken token) {
    db.transaction(
        "Saving token " + token.tokenId(),
        dsl -> {
          dsl.deleteFrom(FS_TOKENS).where(FS_TOKENS.TOKEN_ID.eq(token.tokenId())).execute();
          dsl.insertInto(FS_TOKENS)
              .set(FS_TOKENS.TOKEN_ID, token.tokenId())
              .set(FS_TOKENS.USER_ID, token.userId())
              .set(FS_TOKENS.NAME, token.name())
              .set(FS_TOKENS.ISSUED_AT, token.issuedAt())
              .set(FS_TOKENS.EXPIRES_AT, token.expiresAt())
              .execute();
          if (!token.rooms().isEmpty()) {
            var insert =
                dsl.insertInto(FS_TOKEN_ROOMS, FS_TOKEN_ROOMS.TOKEN_ID, FS_TOKEN_ROOMS.ROOM);
            for (String room : token.rooms()) {
              insert = insert.values(token.tokenId(), room);
            }
            insert.execute();
          }
          return null;
        });
    db.writeThrough();
  }

  @Override
  public Optional<AccessToken> find(String tokenId) {
    return db.run(
        "Reading token " + tokenId,
        dsl -> {
          FsTokensRecord t =
              dsl.selectFrom(FS_TOKENS).where(FS_TOKENS.TOKEN_ID.eq(tokenId)).fetchOne();
          if (t == null) {
            return Optional.empty();
          }
          Set<String> rooms =
              dsl.select(FS_TOKEN_ROOMS.ROOM)
                  .from(FS_TOKEN_ROOMS)
                  .where(FS_TOKEN_ROOMS.TOKEN_ID.eq(tokenId))
                  .fetchSet(FS_TOKEN_ROOMS.ROOM);
          return Optional.of(
              new AccessToken(
                  t.getTokenId(),
                  t.getUserId(),
                  t.getName(),
                  rooms,
                  t.getIssuedAt(),
                  t.getExpiresAt()));
        });
  }

  @Override
  public boolean delete(String tokenId) {
    boolean deleted =
        db.run(
            "Deleting token " + tokenId,
            dsl -> dsl.deleteFrom(FS_TOKENS).where(FS_TOKENS.TOKEN_ID.eq(tokenId)).execute() == 1);
    db.writeThrough(); // a revocation must not come undone by a crash
    return deleted;
  }

  @Override
  public int deleteExpired(Instant now) {
    return db.deleteInChunks(
        "Deleting tokens expired at " + now,
        dsl ->
            dsl.deleteFrom(FS_TOKENS)
                .where(
                    FS_TOKENS.TOKEN_ID.in(
                        select(FS_TOKENS.TOKEN_ID)
                            .from(FS_TOKENS)
                            .where(FS_TOKENS.EXPIRES_AT.le(now))
                            .limit(SqlDb.DELETE_CHUNK)))
                .execute());
  }

  /** {@code sql}: the same answer for every store of one {@link SqlStores}. */
  @Override
  public String healthName() {
    return "sql";
  }

  /** Whether the database answered within a second (see {@link SqlStores#isHealthy()}). */
  @Override
  public boolean isHealthy() {
    return health.isHealthy();
  }
}
