-- Households: product audit journal (append-only).
--
-- One row per thing that happened to a household or one of its accounts (trade proposed,
-- lot sold, trigger fired, settings changed, ...). Rows are never updated or deleted by the
-- application; corrections are new rows. idempotency_key lets a writer retry safely: the
-- same key for the same account is accepted once (INSERT ... ON CONFLICT DO NOTHING).
-- Household-level rows (account_id NULL) are de-duplicated per household instead.

CREATE TABLE IF NOT EXISTS households_journal
(
    id              bigserial   NOT NULL PRIMARY KEY,
    household_id    text        NOT NULL,
    account_id      text        NULL,
    kind            text        NOT NULL,
    occurred_at     timestamptz NOT NULL,
    recorded_at     timestamptz NOT NULL DEFAULT now(),
    idempotency_key text        NULL,
    payload         jsonb       NOT NULL DEFAULT '{}'::jsonb,
    CONSTRAINT ck_households_journal_kind CHECK (length(kind) BETWEEN 1 AND 100),
    CONSTRAINT ck_households_journal_household CHECK (length(household_id) > 0)
);

-- Idempotency: unique per account where a key is given ...
CREATE UNIQUE INDEX IF NOT EXISTS ux_households_journal_account_idem
    ON households_journal (account_id, idempotency_key)
    WHERE idempotency_key IS NOT NULL AND account_id IS NOT NULL;

-- ... and per household for household-level rows.
CREATE UNIQUE INDEX IF NOT EXISTS ux_households_journal_household_idem
    ON households_journal (household_id, idempotency_key)
    WHERE idempotency_key IS NOT NULL AND account_id IS NULL;

-- A household's journal, newest first, optionally within a time range.
CREATE INDEX IF NOT EXISTS ix_households_journal_household_time
    ON households_journal (household_id, occurred_at DESC, id DESC);

-- An account's journal, newest first, optionally within a time range.
CREATE INDEX IF NOT EXISTS ix_households_journal_account_time
    ON households_journal (account_id, occurred_at DESC, id DESC)
    WHERE account_id IS NOT NULL;

-- Everything of one kind in a time range (e.g. all wash-sale vetoes last month).
CREATE INDEX IF NOT EXISTS ix_households_journal_kind_time
    ON households_journal (kind, occurred_at DESC);

-- Pure time-range scans over the whole (append-ordered) table.
CREATE INDEX IF NOT EXISTS ix_households_journal_occurred_brin
    ON households_journal USING brin (occurred_at);

-- Append-only: refuse UPDATE and DELETE at the database (TRUNCATE stays available to admins).
CREATE OR REPLACE FUNCTION hh_journal_append_only()
RETURNS trigger
LANGUAGE plpgsql AS
$fn$
BEGIN
    RAISE EXCEPTION 'households_journal is append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$fn$;

CREATE OR REPLACE TRIGGER tr_households_journal_append_only
    BEFORE UPDATE OR DELETE ON households_journal
    FOR EACH ROW EXECUTE FUNCTION hh_journal_append_only();
