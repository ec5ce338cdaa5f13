-- Households: Orleans AdoNet query catalogue and schema bookkeeping (PostgreSQL 15).
--
-- The Orleans AdoNet providers (clustering, grain persistence, reminders) issue no SQL of
-- their own: at start-up each provider runs "SELECT QueryKey, QueryText FROM OrleansQuery"
-- and then executes those texts with named parameters (@DeploymentId, @GrainIdHash, ...).
-- Column and parameter names are therefore a contract with the Orleans runtime; the SQL
-- bodies behind them are ours.
--
-- Every script in grains/Households.Persistence/Sql is applied in name order by Households.Persistence.PostgresSchema,
-- in one transaction under an advisory lock, on every silo start. Each script must therefore
-- be idempotent: CREATE ... IF NOT EXISTS, CREATE OR REPLACE FUNCTION, and
-- INSERT ... ON CONFLICT (QueryKey) DO UPDATE so that re-running refreshes query texts.
-- Unquoted identifiers: PostgreSQL folds them to lower case, as the providers expect.

CREATE TABLE IF NOT EXISTS OrleansQuery
(
    QueryKey  varchar(64)   NOT NULL,
    QueryText varchar(8000) NOT NULL,
    CONSTRAINT OrleansQuery_Key PRIMARY KEY (QueryKey)
);

-- One row per embedded script: what was applied last, and when.
CREATE TABLE IF NOT EXISTS households_schema_version
(
    script_name text        NOT NULL PRIMARY KEY,
    sha256      text        NOT NULL,
    applied_at  timestamptz NOT NULL DEFAULT now()
);
