-- Each onshid keeps the sessions it looked up for half a second (store/session_cache.c) and
-- forgets them when told that an account or an institution changed. The 'account' event of
-- 0009 now also comes for changes of what a session lookup reads besides usability: the
-- password's state (a forced change done) and the names; a new 'institution' event for its
-- name, kind and usage start date.
DROP TRIGGER accounts_event_update ON accounts;
CREATE TRIGGER accounts_event_update AFTER UPDATE ON accounts
    FOR EACH ROW WHEN ((OLD.enabled, OLD.deleted_at, OLD.start_date, OLD.end_date, OLD.role,
                        OLD.password_set_at, OLD.password_is_initial, OLD.name, OLD.name_kana)
        IS DISTINCT FROM (NEW.enabled, NEW.deleted_at, NEW.start_date, NEW.end_date, NEW.role,
                          NEW.password_set_at, NEW.password_is_initial, NEW.name, NEW.name_kana))
    EXECUTE FUNCTION onshi_event_account();

CREATE FUNCTION onshi_event_institution() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('onshi_events', json_build_object('kind', 'institution',
        'institution', NEW.institution_code)::text);
    RETURN NULL;
END $$;
CREATE TRIGGER institutions_event_update AFTER UPDATE ON institutions
    FOR EACH ROW WHEN ((OLD.name, OLD.kind, OLD.start_date)
        IS DISTINCT FROM (NEW.name, NEW.kind, NEW.start_date))
    EXECUTE FUNCTION onshi_event_institution();
