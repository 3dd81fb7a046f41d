/**
 * SQLite schema of the event store. `user_version` holds the schema version; each entry of
 * MIGRATIONS moves the database one version up and runs inside one transaction.
 *
 * Tables:
 * - vms: VM definitions (the spec as JSON, u64 values as "0x…" strings), kept until deleted;
 * - injections: every injection a client submitted, with its status-block bytes, its target,
 *   its current state, the refusal or guest outcome, and the VM-internal id it has in the
 *   running VM (that id changes when the VM is re-created after a restart)
   (and its history: every state change with wall time, virtual clock and boot, as JSON — one
 *   row per injection keeps an injection to one INSERT and one UPDATE);
 * - guest_records: what the guest kernel read from an error source (decoded JSON + raw bytes),
 *   like rasdaemon's tables;
 * - log_lines: the guest's kernel log, numbered per VM across boots;
 * - events: what happened to the VM itself (created, boot, reboot, panic, replays). Injection
 *   state changes live in the injection's history, guest records in guest_records.
 * Every child table is deleted with its VM (ON DELETE CASCADE).
 *
 * Version 2 adds injections.notification: what the device model raised for the injection (the
 * notification fact of docs/API.md, JSON), NULL until the record was written; and an index of the
 * `notification` events by the log line they follow (`data.logSeq`), so the SSE log stream can
 * replay them in place among the stored lines.
 *
 * Version 3 adds erst_records: each VM's ERST records (the device model's persistent store, see
 * docs/ERST.md), keyed by (vm, record id as 16 hex digits: ids are u64, SQLite integers signed),
 * with the device's slot number and the record bytes.
 *
 * Version 4 widens the index of version 2 to the `lost` events (an injection lost in flight, also
 * stored with the log line it followed, `data.logSeq`): `events_stream` indexes both kinds, so the
 * SSE log stream replays lost events in place among the lines as it does notifications. The rows
 * stay as they are (lost events were stored with their logSeq from the start); only the index is
 * rebuilt.
 */
export const SCHEMA_VERSION = 4;

export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE vms (
    id          TEXT PRIMARY KEY,
    ordinal     INTEGER NOT NULL,
    spec        TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    boot_count  INTEGER NOT NULL DEFAULT 0
  );
  CREATE TABLE injections (
    id               INTEGER PRIMARY KEY,
    vm_id            TEXT NOT NULL REFERENCES vms(id) ON DELETE CASCADE,
    origin           TEXT NOT NULL,
    target           TEXT NOT NULL,
    source_id        INTEGER,
    bytes            BLOB NOT NULL,
    state            TEXT NOT NULL,
    refusal          TEXT,
    outcome          TEXT,
    vm_injection_id  TEXT,
    boot             INTEGER,
    history          TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
  );
  CREATE INDEX injections_by_vm ON injections(vm_id, id);
  CREATE INDEX injections_open ON injections(vm_id, state);
  CREATE TABLE guest_records (
    id            INTEGER PRIMARY KEY,
    vm_id         TEXT NOT NULL REFERENCES vms(id) ON DELETE CASCADE,
    injection_id  INTEGER,
    source_id     INTEGER NOT NULL,
    boot          INTEGER NOT NULL,
    severity      TEXT,
    sections      TEXT NOT NULL,
    decoded       TEXT NOT NULL,
    bytes         BLOB NOT NULL,
    at            TEXT NOT NULL
  );
  CREATE INDEX guest_records_by_vm ON guest_records(vm_id, id);
  CREATE TABLE log_lines (
    vm_id  TEXT NOT NULL REFERENCES vms(id) ON DELETE CASCADE,
    seq    INTEGER NOT NULL,
    boot   INTEGER NOT NULL,
    line   TEXT NOT NULL,
    at     TEXT NOT NULL,
    PRIMARY KEY (vm_id, seq)
  ) WITHOUT ROWID;
  CREATE TABLE events (
    id     INTEGER PRIMARY KEY,
    vm_id  TEXT NOT NULL REFERENCES vms(id) ON DELETE CASCADE,
    type   TEXT NOT NULL,
    boot   INTEGER NOT NULL,
    data   TEXT NOT NULL,
    at     TEXT NOT NULL
  );
  CREATE INDEX events_by_vm ON events(vm_id, id);
  `,
  `
  ALTER TABLE injections ADD COLUMN notification TEXT;
  CREATE INDEX events_notifications ON events(vm_id, json_extract(data, '$.logSeq')) WHERE type = 'notification';
  `,
  `
  CREATE TABLE erst_records (
    vm_id       TEXT NOT NULL REFERENCES vms(id) ON DELETE CASCADE,
    record_id   TEXT NOT NULL,
    slot        INTEGER NOT NULL,
    bytes       BLOB NOT NULL,
    written_at  TEXT NOT NULL,
    PRIMARY KEY (vm_id, record_id)
  ) WITHOUT ROWID;
  `,
  `
  DROP INDEX events_notifications;
  CREATE INDEX events_stream ON events(vm_id, json_extract(data, '$.logSeq')) WHERE type IN ('notification', 'lost');
  `,
];
