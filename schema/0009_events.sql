-- Live updates (GET /api/v1/events): what a stream may need to hear is announced on channel
-- onshi_events when it commits, by triggers, so that no writer (API, bulk worker, reader
-- bridge, onshictl, another onshid) can forget to. The payload only names what changed; the
-- listener reads the current state itself, so a payload never carries personal data.

-- Rows of a bulk job checked so far (progress), for GET /bulk-jobs and the events.
ALTER TABLE bulk_jobs ADD COLUMN processed_rows integer NOT NULL DEFAULT 0;

CREATE FUNCTION onshi_event_bulk_job() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('onshi_events', json_build_object('kind', 'bulk_job',
        'institution', NEW.institution_code, 'tier', NEW.tier,
        'reception_number', NEW.reception_number)::text);
    RETURN NULL;
END $$;
CREATE TRIGGER bulk_jobs_event_insert AFTER INSERT ON bulk_jobs
    FOR EACH ROW EXECUTE FUNCTION onshi_event_bulk_job();
-- Lease renewals change neither column: they are not news.
CREATE TRIGGER bulk_jobs_event_update AFTER UPDATE ON bulk_jobs
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status
        OR OLD.processed_rows IS DISTINCT FROM NEW.processed_rows)
    EXECUTE FUNCTION onshi_event_bulk_job();

CREATE FUNCTION onshi_event_reader() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('onshi_events', json_build_object('kind', 'reader',
        'institution', NEW.institution_code, 'name', NEW.name)::text);
    RETURN NULL;
END $$;
CREATE TRIGGER readers_event_insert AFTER INSERT ON readers
    FOR EACH ROW EXECUTE FUNCTION onshi_event_reader();
CREATE TRIGGER readers_event_update AFTER UPDATE ON readers
    FOR EACH ROW WHEN ((OLD.state, OLD.last_event_at, OLD.last_result, OLD.account_user_id,
        OLD.mode, OLD.visual_confirmation, OLD.visual_confirmation_at)
        IS DISTINCT FROM (NEW.state, NEW.last_event_at, NEW.last_result, NEW.account_user_id,
        NEW.mode, NEW.visual_confirmation, NEW.visual_confirmation_at))
    EXECUTE FUNCTION onshi_event_reader();

-- The bridge's heartbeat rewrites seen_at every few seconds: only a change of `up` is news
-- (a heartbeat that stops is noticed by the listener, which knows the freshness rule).
CREATE FUNCTION onshi_event_reader_service() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('onshi_events', json_build_object('kind', 'reader_service',
        'institution', NEW.institution_code)::text);
    RETURN NULL;
END $$;
CREATE TRIGGER reader_services_event_insert AFTER INSERT ON reader_services
    FOR EACH ROW EXECUTE FUNCTION onshi_event_reader_service();
CREATE TRIGGER reader_services_event_update AFTER UPDATE ON reader_services
    FOR EACH ROW WHEN (OLD.up IS DISTINCT FROM NEW.up)
    EXECUTE FUNCTION onshi_event_reader_service();

-- A session deleted (sign-out, password changed or initialised, account deleted) or an
-- account changed in a way that can end or narrow its sessions: the listener checks the
-- account's open streams again.
CREATE FUNCTION onshi_event_account() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    r record;
BEGIN
    IF TG_OP = 'DELETE' THEN r := OLD; ELSE r := NEW; END IF;
    PERFORM pg_notify('onshi_events', json_build_object('kind', 'account',
        'institution', r.institution_code, 'user_id', r.user_id)::text);
    RETURN NULL;
END $$;
CREATE TRIGGER sessions_event_delete AFTER DELETE ON sessions
    FOR EACH ROW EXECUTE FUNCTION onshi_event_account();
CREATE TRIGGER accounts_event_update AFTER UPDATE ON accounts
    FOR EACH ROW WHEN ((OLD.enabled, OLD.deleted_at, OLD.start_date, OLD.end_date, OLD.role)
        IS DISTINCT FROM (NEW.enabled, NEW.deleted_at, NEW.start_date, NEW.end_date, NEW.role))
    EXECUTE FUNCTION onshi_event_account();
