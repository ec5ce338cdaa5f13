-- Households: changes appended to a grain state since its snapshot (issue #18 goal 2).
--
-- A fill or a decision is stored as what it changed rather than the grain's whole state: an account's fill (cash, the
-- lots removed and put, the results it keeps by key; AccountFilled), a household's fills in its ledger (HouseholdFilled)
-- or its proposals filed or decided (ProposalsFiled), each Orleans-serialized. One row here, under the version the change
-- gave the state's row in households_grain_state (whose payload stays as it was, so the two kinds of write conflict alike
-- on that version). Every read of the state folds its rows in, in version order; a write of the whole state (every 16
-- changes, on the grain's deactivation, or any other change) drops them in the same statement.

CREATE TABLE IF NOT EXISTS households_state_changes
(
    state_name  text        NOT NULL,
    grain_key   text        NOT NULL,
    version     bigint      NOT NULL,
    payload     bytea       NOT NULL,
    created_on  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT pk_households_state_changes PRIMARY KEY (state_name, grain_key, version)
);
