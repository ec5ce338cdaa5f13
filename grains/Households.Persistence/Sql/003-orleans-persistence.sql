-- Households: Orleans AdoNet grain persistence (storage provider "households").
--
-- Contract with Microsoft.Orleans.Persistence.AdoNet 10.4.2:
--   * required query keys: WriteToStorageKey, ReadFromStorageKey, ClearStorageKey;
--     DeleteStorageKey is needed only with DeleteStateOnClear = true (provided anyway).
--   * a grain state row is identified by (ServiceId, GrainIdHash, GrainIdN0, GrainIdN1,
--     GrainTypeHash, GrainTypeString, GrainIdExtensionString). Version is the ETag.
--   * The 10.x provider serializes state itself and sends only @PayloadBinary (older scripts also
--     took @PayloadJson/@PayloadXml; referencing them now fails). The PayloadJson/PayloadXml
--     columns stay for layout compatibility and are NULL.
--   * Writes return NewGrainStateVersion; returning the caller's own version (or NULL for a
--     first write) tells Orleans the write lost a race (InconsistentStateException).
--   * Known Orleans issue (#8746, #9737): the grain type is not reliably part of that key, so
--     two grain types with the same key and state name would share a row. Households gives
--     every grain type its own state name.

CREATE TABLE IF NOT EXISTS OrleansStorage
(
    GrainIdHash            integer      NOT NULL,
    GrainIdN0              bigint       NOT NULL,
    GrainIdN1              bigint       NOT NULL,
    GrainTypeHash          integer      NOT NULL,
    GrainTypeString        varchar(512) NOT NULL,
    GrainIdExtensionString varchar(512) NULL,
    ServiceId              varchar(150) NOT NULL,
    PayloadBinary          bytea        NULL,
    PayloadXml             xml          NULL,
    PayloadJson            text         NULL,
    ModifiedOn             timestamp    NOT NULL,
    Version                integer      NULL
);

-- At most one row per grain state, even for two racing first writes (split brain):
-- the unique index makes the losing INSERT a no-op. PostgreSQL 15: NULLS NOT DISTINCT lets
-- a NULL extension string take part in uniqueness. Leading hash columns serve the lookups.
CREATE UNIQUE INDEX IF NOT EXISTS ux_orleansstorage_grain
    ON OrleansStorage (GrainIdHash, GrainTypeHash, GrainIdN0, GrainIdN1, ServiceId,
                       GrainTypeString, GrainIdExtensionString) NULLS NOT DISTINCT;

CREATE OR REPLACE FUNCTION hh_storage_write(
    p_grain_id_hash integer, p_grain_id_n0 bigint, p_grain_id_n1 bigint,
    p_grain_type_hash integer, p_grain_type_string text, p_grain_id_extension_string text,
    p_service_id text, p_grain_state_version integer, p_payload_binary bytea)
RETURNS integer
LANGUAGE plpgsql AS
$fn$
DECLARE
    n integer := 0;
BEGIN
    IF p_grain_state_version IS NOT NULL THEN
        -- The caller read (or wrote) version p_grain_state_version: compare and swap.
        UPDATE OrleansStorage AS s
           SET PayloadBinary = p_payload_binary,
               PayloadJson = NULL,
               PayloadXml = NULL,
               ModifiedOn = (now() AT TIME ZONE 'utc'),
               Version = s.Version + 1
         WHERE s.GrainIdHash = p_grain_id_hash
           AND s.GrainTypeHash = p_grain_type_hash
           AND s.GrainIdN0 = p_grain_id_n0
           AND s.GrainIdN1 = p_grain_id_n1
           AND s.ServiceId = p_service_id
           AND s.GrainTypeString = p_grain_type_string
           AND s.GrainIdExtensionString IS NOT DISTINCT FROM p_grain_id_extension_string
           AND s.Version = p_grain_state_version;
        GET DIAGNOSTICS n = ROW_COUNT;
        IF n > 0 THEN
            RETURN p_grain_state_version + 1;
        END IF;
        RETURN p_grain_state_version;
    END IF;

    -- No version: the caller believes there is no row yet. First insert wins.
    INSERT INTO OrleansStorage
        (GrainIdHash, GrainIdN0, GrainIdN1, GrainTypeHash, GrainTypeString, GrainIdExtensionString,
         ServiceId, PayloadBinary, ModifiedOn, Version)
    VALUES
        (p_grain_id_hash, p_grain_id_n0, p_grain_id_n1, p_grain_type_hash, p_grain_type_string,
         p_grain_id_extension_string, p_service_id, p_payload_binary, (now() AT TIME ZONE 'utc'), 1)
    ON CONFLICT DO NOTHING;
    GET DIAGNOSTICS n = ROW_COUNT;
    IF n > 0 THEN
        RETURN 1;
    END IF;
    RETURN NULL;
END
$fn$;

INSERT INTO OrleansQuery (QueryKey, QueryText)
VALUES
('WriteToStorageKey', $q$
    SELECT hh_storage_write(@GrainIdHash, @GrainIdN0, @GrainIdN1, @GrainTypeHash, @GrainTypeString,
                            @GrainIdExtensionString, @ServiceId, @GrainStateVersion,
                            @PayloadBinary) AS NewGrainStateVersion;
$q$),
('ReadFromStorageKey', $q$
    SELECT PayloadBinary, PayloadXml, PayloadJson, (now() AT TIME ZONE 'utc') AS ReadOn, Version
      FROM OrleansStorage
     WHERE GrainIdHash = @GrainIdHash
       AND GrainTypeHash = @GrainTypeHash
       AND GrainIdN0 = @GrainIdN0
       AND GrainIdN1 = @GrainIdN1
       AND ServiceId = @ServiceId
       AND GrainTypeString = @GrainTypeString
       AND GrainIdExtensionString IS NOT DISTINCT FROM CAST(@GrainIdExtensionString AS varchar);
$q$),
-- Clear keeps the row (payload NULL) and advances the version.
('ClearStorageKey', $q$
    UPDATE OrleansStorage
       SET PayloadBinary = NULL, PayloadJson = NULL, PayloadXml = NULL,
           ModifiedOn = (now() AT TIME ZONE 'utc'),
           Version = Version + 1
     WHERE GrainIdHash = @GrainIdHash
       AND GrainTypeHash = @GrainTypeHash
       AND GrainIdN0 = @GrainIdN0
       AND GrainIdN1 = @GrainIdN1
       AND ServiceId = @ServiceId
       AND GrainTypeString = @GrainTypeString
       AND GrainIdExtensionString IS NOT DISTINCT FROM CAST(@GrainIdExtensionString AS varchar)
       AND Version = @GrainStateVersion
    RETURNING Version AS NewGrainStateVersion;
$q$),
-- Delete (DeleteStateOnClear = true) removes the row if the caller's version is current.
('DeleteStorageKey', $q$
    DELETE FROM OrleansStorage
     WHERE GrainIdHash = @GrainIdHash
       AND GrainTypeHash = @GrainTypeHash
       AND GrainIdN0 = @GrainIdN0
       AND GrainIdN1 = @GrainIdN1
       AND ServiceId = @ServiceId
       AND GrainTypeString = @GrainTypeString
       AND GrainIdExtensionString IS NOT DISTINCT FROM CAST(@GrainIdExtensionString AS varchar)
       AND Version = @GrainStateVersion
    RETURNING Version + 1 AS NewGrainStateVersion;
$q$)
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;
