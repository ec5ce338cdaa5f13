-- Households: a household's live header beside its state (issue #18, goals 6 and 9).
--
-- The header (advisor, accounts in order, proposals awaiting a decision; Orleans-serialized HouseholdLiveHeader) is
-- written with every write of a household's state. A silo reads every header in one COPY at start and answers a
-- household's live read from them and its monitor's snapshots, with no household state read: a household row is
-- kilobytes, its header a few dozen bytes. Null for other states, and for households stored before this script (their
-- live reads go through the household grain until its next write).

ALTER TABLE households_grain_state ADD COLUMN IF NOT EXISTS live_header bytea;
