package dev.flowsync.store.sql;

import dev.flowsync.core.FlowSyncException.UnavailableException;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;

/**
 * The database schema of the SQL stores, as Flyway migrations in {@value #LOCATION}. The stores
 * never migrate by themselves: call {@link #migrate} once at start-up (the standalone server does),
 * or apply the same scripts with your own migration tool.
 */
public final class SqlSchema {
  /** Where the migration scripts are on the classpath. */
  public static final String LOCATION = "classpath:db/migration/flowsync";

  /**
   * Flyway's history table for FlowSync's migrations; its own name, so an application's own Flyway
   * history in the same schema is left alone.
   */
  public static final String HISTORY_TABLE = "flowsync_schema_history";

  private SqlSchema() {}

  /**
   * Brings the schema of the data source's default schema up to date. Safe to call on every start
   * and from several nodes at once (Flyway locks its history table); a schema that already holds
   * other tables is fine.
   *
   * @return how many migrations were applied now (0 when up to date)
   * @throws UnavailableException the database could not be reached or a migration failed
   */
  public static int migrate(DataSource dataSource) {
    try {
      return Flyway.configure(SqlSchema.class.getClassLoader())
          .dataSource(dataSource)
          .locations(LOCATION)
          .table(HISTORY_TABLE)
          .baselineOnMigrate(true)
          .baselineVersion("0")
          .load()
          .migrate()
          .migrationsExecuted;
    } catch (FlywayException e) {
      throw new UnavailableException("Migrating the FlowSync schema failed: " + e.getMessage(), e);
    }
  }
}
