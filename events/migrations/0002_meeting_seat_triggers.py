"""Database triggers that keep ``events_meetingseat`` in step with ``events_meeting``.

Every scheduled meeting has exactly one seat per party, carrying the meeting's
slot; the unique index on (slot, registration) then makes it impossible for one
participant to sit in two meetings of the same slot, whichever side of a pair
they are on, from any code path and under concurrency.  Cancelling a meeting
frees its seats; moving it moves them (and fails if the new slot is taken).
"""

from django.db import migrations

POSTGRESQL_UP = """
CREATE OR REPLACE FUNCTION events_meeting_sync_seats() RETURNS trigger AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        DELETE FROM events_meetingseat WHERE meeting_id = OLD.id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.status = 'scheduled' THEN
        INSERT INTO events_meetingseat (meeting_id, slot_id, registration_id)
        VALUES (NEW.id, NEW.slot_id, NEW.party_a_id), (NEW.id, NEW.slot_id, NEW.party_b_id);
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER events_meeting_seats_write
    AFTER INSERT OR UPDATE OF slot_id, party_a_id, party_b_id, status ON events_meeting
    FOR EACH ROW EXECUTE FUNCTION events_meeting_sync_seats();
CREATE TRIGGER events_meeting_seats_delete
    BEFORE DELETE ON events_meeting
    FOR EACH ROW EXECUTE FUNCTION events_meeting_sync_seats();
"""

POSTGRESQL_DOWN = """
DROP TRIGGER IF EXISTS events_meeting_seats_write ON events_meeting;
DROP TRIGGER IF EXISTS events_meeting_seats_delete ON events_meeting;
DROP FUNCTION IF EXISTS events_meeting_sync_seats();
"""

SQLITE_UP = [
    """
    CREATE TRIGGER events_meeting_seats_insert AFTER INSERT ON events_meeting
    WHEN NEW.status = 'scheduled'
    BEGIN
        INSERT INTO events_meetingseat (meeting_id, slot_id, registration_id)
        VALUES (NEW.id, NEW.slot_id, NEW.party_a_id), (NEW.id, NEW.slot_id, NEW.party_b_id);
    END;
    """,
    """
    CREATE TRIGGER events_meeting_seats_update
    AFTER UPDATE OF slot_id, party_a_id, party_b_id, status ON events_meeting
    BEGIN
        DELETE FROM events_meetingseat WHERE meeting_id = OLD.id;
        INSERT INTO events_meetingseat (meeting_id, slot_id, registration_id)
        SELECT NEW.id, NEW.slot_id, NEW.party_a_id WHERE NEW.status = 'scheduled'
        UNION ALL
        SELECT NEW.id, NEW.slot_id, NEW.party_b_id WHERE NEW.status = 'scheduled';
    END;
    """,
    """
    CREATE TRIGGER events_meeting_seats_delete BEFORE DELETE ON events_meeting
    BEGIN
        DELETE FROM events_meetingseat WHERE meeting_id = OLD.id;
    END;
    """,
]

SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS events_meeting_seats_insert",
    "DROP TRIGGER IF EXISTS events_meeting_seats_update",
    "DROP TRIGGER IF EXISTS events_meeting_seats_delete",
]


def _run(schema_editor, postgresql, sqlite):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(postgresql)
    elif vendor == "sqlite":
        for statement in sqlite:
            schema_editor.execute(statement)
    else:
        raise NotImplementedError(f"GreenBridge supports PostgreSQL and SQLite, not {vendor}.")


def create_triggers(apps, schema_editor):
    _run(schema_editor, POSTGRESQL_UP, SQLITE_UP)


def drop_triggers(apps, schema_editor):
    _run(schema_editor, POSTGRESQL_DOWN, SQLITE_DOWN)


class Migration(migrations.Migration):
    dependencies = [("events", "0001_initial")]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
