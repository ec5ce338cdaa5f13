-- Households: Orleans AdoNet membership (clustering) tables, routines and queries.
--
-- Contract with Microsoft.Orleans.Clustering.AdoNet 10.4.2:
--   * required query keys: UpdateIAmAlivetimeKey, InsertMembershipVersionKey, InsertMembershipKey,
--     UpdateMembershipKey, MembershipReadRowKey, MembershipReadAllKey, DeleteMembershipTableEntriesKey,
--     GatewaysQueryKey, CleanupDefunctSiloEntriesKey; optional (used when present):
--     CleanupDefunctSiloEntryKey.
--   * "DeploymentId" is the Orleans ClusterId. SiloStatus values: 3 = Active, 6 = Dead.
--   * Conditional writes (InsertMembershipKey, UpdateMembershipKey, InsertMembershipVersionKey)
--     return a single integer: > 0 means the write happened, 0 means it lost a race. A lost
--     race must leave no partial change behind, so the routines undo their own version bump by
--     raising a private SQLSTATE inside a sub-block (a savepoint) rather than relying on
--     ASSERT, which servers can switch off (plpgsql.check_asserts).

-- One row per cluster; Version is the membership table's optimistic-concurrency token.
CREATE TABLE IF NOT EXISTS OrleansMembershipVersionTable
(
    DeploymentId varchar(150)   NOT NULL,
    Timestamp    timestamptz(3) NOT NULL DEFAULT now(),
    Version      integer        NOT NULL DEFAULT 0,
    CONSTRAINT PK_OrleansMembershipVersionTable_DeploymentId PRIMARY KEY (DeploymentId)
);

-- One row per silo incarnation (address, port, generation).
CREATE TABLE IF NOT EXISTS OrleansMembershipTable
(
    DeploymentId varchar(150)   NOT NULL,
    Address      varchar(45)    NOT NULL,
    Port         integer        NOT NULL,
    Generation   integer        NOT NULL,
    SiloName     varchar(150)   NOT NULL,
    HostName     varchar(150)   NOT NULL,
    Status       integer        NOT NULL,
    ProxyPort    integer        NULL,
    SuspectTimes varchar(8000)  NULL,
    StartTime    timestamptz(3) NOT NULL,
    IAmAliveTime timestamptz(3) NOT NULL,
    CONSTRAINT PK_MembershipTable_DeploymentId PRIMARY KEY (DeploymentId, Address, Port, Generation),
    CONSTRAINT FK_MembershipTable_MembershipVersionTable_DeploymentId
        FOREIGN KEY (DeploymentId) REFERENCES OrleansMembershipVersionTable (DeploymentId)
);

-- Heartbeat: never moves IAmAliveTime backwards (a delayed heartbeat must not age a silo).
CREATE OR REPLACE FUNCTION hh_membership_i_am_alive(
    p_deployment_id text, p_address text, p_port integer, p_generation integer,
    p_i_am_alive_time timestamptz)
RETURNS void
LANGUAGE plpgsql AS
$fn$
BEGIN
    UPDATE OrleansMembershipTable AS m
       SET IAmAliveTime = GREATEST(m.IAmAliveTime, p_i_am_alive_time)
     WHERE m.DeploymentId = p_deployment_id
       AND m.Address = p_address
       AND m.Port = p_port
       AND m.Generation = p_generation;
END
$fn$;

-- Creates the cluster's version row; 1 if created, 0 if it already existed.
CREATE OR REPLACE FUNCTION hh_membership_insert_version(p_deployment_id text)
RETURNS integer
LANGUAGE plpgsql AS
$fn$
DECLARE
    n integer := 0;
BEGIN
    IF p_deployment_id IS NULL THEN
        RETURN 0;
    END IF;
    INSERT INTO OrleansMembershipVersionTable (DeploymentId)
    VALUES (p_deployment_id)
    ON CONFLICT (DeploymentId) DO NOTHING;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END
$fn$;

-- Adds a silo row if the caller's table version is still current: bumps the version, then
-- inserts; if the row already exists the bump is undone and 0 is returned.
CREATE OR REPLACE FUNCTION hh_membership_insert(
    p_deployment_id text, p_address text, p_port integer, p_generation integer,
    p_silo_name text, p_host_name text, p_status integer, p_proxy_port integer,
    p_start_time timestamptz, p_i_am_alive_time timestamptz, p_version integer)
RETURNS integer
LANGUAGE plpgsql AS
$fn$
DECLARE
    n integer := 0;
BEGIN
    BEGIN
        UPDATE OrleansMembershipVersionTable
           SET Version = Version + 1, Timestamp = now()
         WHERE DeploymentId = p_deployment_id
           AND Version = p_version
           AND Version < 2147483647;
        GET DIAGNOSTICS n = ROW_COUNT;
        IF n = 0 THEN
            RETURN 0;
        END IF;

        INSERT INTO OrleansMembershipTable
            (DeploymentId, Address, Port, Generation, SiloName, HostName, Status, ProxyPort,
             StartTime, IAmAliveTime)
        VALUES
            (p_deployment_id, p_address, p_port, p_generation, p_silo_name, p_host_name, p_status,
             p_proxy_port, p_start_time, p_i_am_alive_time)
        ON CONFLICT (DeploymentId, Address, Port, Generation) DO NOTHING;
        GET DIAGNOSTICS n = ROW_COUNT;
        IF n = 0 THEN
            RAISE EXCEPTION 'membership row already exists' USING ERRCODE = 'HH001';
        END IF;
        RETURN 1;
    EXCEPTION WHEN SQLSTATE 'HH001' THEN
        RETURN 0;
    END;
END
$fn$;

-- Updates a silo row if the caller's table version is still current; 0 (and no change) otherwise.
CREATE OR REPLACE FUNCTION hh_membership_update(
    p_deployment_id text, p_address text, p_port integer, p_generation integer,
    p_status integer, p_suspect_times text, p_i_am_alive_time timestamptz, p_version integer)
RETURNS integer
LANGUAGE plpgsql AS
$fn$
DECLARE
    n integer := 0;
BEGIN
    BEGIN
        UPDATE OrleansMembershipVersionTable
           SET Version = Version + 1, Timestamp = now()
         WHERE DeploymentId = p_deployment_id
           AND Version = p_version
           AND Version < 2147483647;
        GET DIAGNOSTICS n = ROW_COUNT;
        IF n = 0 THEN
            RETURN 0;
        END IF;

        UPDATE OrleansMembershipTable AS m
           SET Status = p_status,
               SuspectTimes = p_suspect_times,
               IAmAliveTime = GREATEST(m.IAmAliveTime, p_i_am_alive_time)
         WHERE m.DeploymentId = p_deployment_id
           AND m.Address = p_address
           AND m.Port = p_port
           AND m.Generation = p_generation;
        GET DIAGNOSTICS n = ROW_COUNT;
        IF n = 0 THEN
            RAISE EXCEPTION 'membership row not found' USING ERRCODE = 'HH001';
        END IF;
        RETURN 1;
    EXCEPTION WHEN SQLSTATE 'HH001' THEN
        RETURN 0;
    END;
END
$fn$;

INSERT INTO OrleansQuery (QueryKey, QueryText)
VALUES
('UpdateIAmAlivetimeKey', $q$
    SELECT hh_membership_i_am_alive(@DeploymentId, @Address, @Port, @Generation, @IAmAliveTime);
$q$),
('InsertMembershipVersionKey', $q$
    SELECT hh_membership_insert_version(@DeploymentId) AS row_count;
$q$),
('InsertMembershipKey', $q$
    SELECT hh_membership_insert(@DeploymentId, @Address, @Port, @Generation, @SiloName, @HostName,
                                @Status, @ProxyPort, @StartTime, @IAmAliveTime, @Version) AS row_count;
$q$),
('UpdateMembershipKey', $q$
    SELECT hh_membership_update(@DeploymentId, @Address, @Port, @Generation, @Status,
                                @SuspectTimes, @IAmAliveTime, @Version) AS row_count;
$q$),
-- The version row is returned even when the silo row does not exist (LEFT JOIN, filter in ON).
('MembershipReadRowKey', $q$
    SELECT v.DeploymentId, m.Address, m.Port, m.Generation, m.SiloName, m.HostName, m.Status,
           m.ProxyPort, m.SuspectTimes, m.StartTime, m.IAmAliveTime, v.Version
      FROM OrleansMembershipVersionTable AS v
      LEFT JOIN OrleansMembershipTable AS m
             ON m.DeploymentId = v.DeploymentId
            AND m.Address = @Address
            AND m.Port = @Port
            AND m.Generation = @Generation
     WHERE v.DeploymentId = @DeploymentId;
$q$),
('MembershipReadAllKey', $q$
    SELECT v.DeploymentId, m.Address, m.Port, m.Generation, m.SiloName, m.HostName, m.Status,
           m.ProxyPort, m.SuspectTimes, m.StartTime, m.IAmAliveTime, v.Version
      FROM OrleansMembershipVersionTable AS v
      LEFT JOIN OrleansMembershipTable AS m
             ON m.DeploymentId = v.DeploymentId
     WHERE v.DeploymentId = @DeploymentId;
$q$),
('DeleteMembershipTableEntriesKey', $q$
    DELETE FROM OrleansMembershipTable WHERE DeploymentId = @DeploymentId;
    DELETE FROM OrleansMembershipVersionTable WHERE DeploymentId = @DeploymentId;
$q$),
('GatewaysQueryKey', $q$
    SELECT Address, ProxyPort, Generation
      FROM OrleansMembershipTable
     WHERE DeploymentId = @DeploymentId
       AND Status = @Status
       AND ProxyPort > 0;
$q$),
-- Prunes Dead silos that stopped heart-beating before the cut-off and carry no suspicions.
('CleanupDefunctSiloEntriesKey', $q$
    DELETE FROM OrleansMembershipTable
     WHERE DeploymentId = @DeploymentId
       AND Status = 6
       AND IAmAliveTime < @IAmAliveTime
       AND StartTime < @IAmAliveTime
       AND COALESCE(SuspectTimes, '') = '';
$q$),
-- Prunes one Dead row only if it still holds exactly the values the caller observed.
('CleanupDefunctSiloEntryKey', $q$
    DELETE FROM OrleansMembershipTable
     WHERE DeploymentId = @DeploymentId
       AND Status = 6
       AND Address = @Address
       AND Port = @Port
       AND Generation = @Generation
       AND StartTime = @StartTime
       AND IAmAliveTime = @IAmAliveTime
       AND COALESCE(SuspectTimes, '') = COALESCE(@SuspectTimes, '');
$q$)
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;
