-- A session stopped by its account (disabled, or outside its period of use) stays stopped:
-- when the account can sign in again (re-enabled, an end date moved on after it passed),
-- its sessions and tokens from before are deleted in the same transaction, so a cookie or
-- token taken while the account was meant to be locked out never works again. The sessions
-- stay until then (not deleted at the disable) so their live-update streams learn the
-- reason ('disabled') rather than only that the session is gone.
CREATE FUNCTION onshi_account_usable(enabled boolean, deleted_at timestamptz,
                                     start_date date, end_date date) RETURNS boolean
    LANGUAGE sql STABLE AS $$
    SELECT enabled AND deleted_at IS NULL
        AND (now() AT TIME ZONE 'Asia/Tokyo')::date BETWEEN start_date AND end_date
$$;

CREATE FUNCTION onshi_end_revived_sessions() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT onshi_account_usable(OLD.enabled, OLD.deleted_at, OLD.start_date, OLD.end_date)
       AND onshi_account_usable(NEW.enabled, NEW.deleted_at, NEW.start_date, NEW.end_date) THEN
        DELETE FROM sessions
         WHERE institution_code = NEW.institution_code AND user_id = NEW.user_id;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER accounts_end_revived_sessions
    AFTER UPDATE OF enabled, deleted_at, start_date, end_date ON accounts
    FOR EACH ROW EXECUTE FUNCTION onshi_end_revived_sessions();
