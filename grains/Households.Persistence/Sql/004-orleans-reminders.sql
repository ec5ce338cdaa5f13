-- Households: Orleans AdoNet reminder table, routines and queries.
--
-- Contract with Microsoft.Orleans.Reminders.AdoNet 10.4.2 (all required):
--   ReadReminderRowsKey, ReadReminderRowKey, ReadRangeRows1Key, ReadRangeRows2Key,
--   UpsertReminderRowKey, DeleteReminderRowKey, DeleteReminderRowsKey.
--   * Period is milliseconds (sent as int, or bigint when larger than int.MaxValue).
--   * GrainHash, BeginHash, EndHash are the uint ring hashes cast to signed int; the provider
--     picks ReadRangeRows1Key when (int)begin < (int)end and ReadRangeRows2Key (wrap-around)
--     otherwise, so signed comparisons here are consistent with the ring.
--   * Version is the reminder's ETag; the upsert returns the new one.
-- (The 10.0 cron/priority columns of the newer upstream reminder scripts are not used by the
--  10.4.2 provider and are deliberately absent.)

CREATE TABLE IF NOT EXISTS OrleansRemindersTable
(
    ServiceId    varchar(150)   NOT NULL,
    GrainId      varchar(150)   NOT NULL,
    ReminderName varchar(150)   NOT NULL,
    StartTime    timestamptz(3) NOT NULL,
    Period       bigint         NOT NULL,
    GrainHash    integer        NOT NULL,
    Version      integer        NOT NULL,
    CONSTRAINT PK_RemindersTable_ServiceId_GrainId_ReminderName PRIMARY KEY (ServiceId, GrainId, ReminderName)
);

-- Range reads (each silo reads the reminders of its ring range).
CREATE INDEX IF NOT EXISTS ix_orleansreminderstable_service_grainhash
    ON OrleansRemindersTable (ServiceId, GrainHash);

CREATE OR REPLACE FUNCTION hh_reminder_upsert(
    p_service_id text, p_grain_id text, p_reminder_name text, p_start_time timestamptz,
    p_period bigint, p_grain_hash integer)
RETURNS integer
LANGUAGE sql AS
$fn$
    INSERT INTO OrleansRemindersTable AS r
        (ServiceId, GrainId, ReminderName, StartTime, Period, GrainHash, Version)
    VALUES
        (p_service_id, p_grain_id, p_reminder_name, p_start_time, p_period, p_grain_hash, 0)
    ON CONFLICT (ServiceId, GrainId, ReminderName) DO UPDATE
       SET StartTime = EXCLUDED.StartTime,
           Period = EXCLUDED.Period,
           GrainHash = EXCLUDED.GrainHash,
           Version = r.Version + 1
    RETURNING r.Version;
$fn$;

INSERT INTO OrleansQuery (QueryKey, QueryText)
VALUES
('UpsertReminderRowKey', $q$
    SELECT hh_reminder_upsert(@ServiceId, @GrainId, @ReminderName, @StartTime,
                              CAST(@Period AS bigint), @GrainHash) AS Version;
$q$),
('ReadReminderRowsKey', $q$
    SELECT GrainId, ReminderName, StartTime, Period, Version
      FROM OrleansRemindersTable
     WHERE ServiceId = @ServiceId
       AND GrainId = @GrainId;
$q$),
('ReadReminderRowKey', $q$
    SELECT GrainId, ReminderName, StartTime, Period, Version
      FROM OrleansRemindersTable
     WHERE ServiceId = @ServiceId
       AND GrainId = @GrainId
       AND ReminderName = @ReminderName;
$q$),
('ReadRangeRows1Key', $q$
    SELECT GrainId, ReminderName, StartTime, Period, Version
      FROM OrleansRemindersTable
     WHERE ServiceId = @ServiceId
       AND GrainHash > @BeginHash
       AND GrainHash <= @EndHash;
$q$),
('ReadRangeRows2Key', $q$
    SELECT GrainId, ReminderName, StartTime, Period, Version
      FROM OrleansRemindersTable
     WHERE ServiceId = @ServiceId
       AND (GrainHash > @BeginHash OR GrainHash <= @EndHash);
$q$),
-- 1 if the reminder with that ETag was deleted, 0 otherwise.
('DeleteReminderRowKey', $q$
    WITH gone AS (
        DELETE FROM OrleansRemindersTable
         WHERE ServiceId = @ServiceId
           AND GrainId = @GrainId
           AND ReminderName = @ReminderName
           AND Version = @Version
        RETURNING 1)
    SELECT count(*)::integer AS row_count FROM gone;
$q$),
('DeleteReminderRowsKey', $q$
    DELETE FROM OrleansRemindersTable WHERE ServiceId = @ServiceId;
$q$)
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;
