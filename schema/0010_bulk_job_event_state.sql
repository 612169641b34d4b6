-- A bulk job's event carries the job as that commit left it (the columns GET /bulk-jobs
-- shows, as store_bulk_list reads them): a listener that read the row itself could see a
-- later state and skip the one announced (a fast worker claims and progresses within
-- milliseconds), and it saves the listener one query per event. Never personal data: the
-- rows and the result file are not in it. Well under NOTIFY's 8000-byte payload limit.
CREATE OR REPLACE FUNCTION onshi_event_bulk_job() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('onshi_events', json_build_object('kind', 'bulk_job',
        'institution', NEW.institution_code, 'tier', NEW.tier,
        'reception_number', NEW.reception_number,
        'job', json_build_object(
            'reception_number', NEW.reception_number,
            'status', NEW.status,
            'received_at', to_char(NEW.received_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
            'finished_at', to_char(NEW.finished_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
            'rows', NEW.row_count,
            'processed_rows', CASE WHEN NEW.finished_at IS NULL THEN NEW.processed_rows
                                   ELSE NEW.row_count END,
            'registered', NEW.registered_count,
            'duplicates', NEW.duplicate_count,
            'errors', NEW.error_count,
            'failure', NEW.failure,
            'has_result', NEW.result IS NOT NULL))::text);
    RETURN NULL;
END $$;
