-- Households: the grain state of the "households" storage provider under the PostgreSQL profile (issue #18).
--
-- One row per grain state, keyed by the state's name and the grain's key: the project's own table rather than
-- Orleans' OrleansStorage, whose row key is a hash that a bulk loader would have to recompute and that leaves out
-- the grain type (dotnet/orleans #8746). A firm's books are loaded here with COPY (households db load) and a silo
-- reads every account's books in one COPY at start (BooksWarmStart) instead of one query per grain.
-- etag is the optimistic-concurrency version: a write names the version it read and fails if another wrote first.

CREATE TABLE IF NOT EXISTS households_grain_state
(
    state_name  text        NOT NULL,
    grain_key   text        NOT NULL,
    etag        bigint      NOT NULL,
    payload     bytea       NOT NULL,
    modified_on timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT pk_households_grain_state PRIMARY KEY (state_name, grain_key)
);

-- Payloads are already compact (packed lot columns): compressing them costs the load and the cold start CPU and
-- saves little.
ALTER TABLE households_grain_state ALTER COLUMN payload SET STORAGE EXTERNAL;
