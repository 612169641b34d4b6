-- The one rule for text a client chose in a CSV cell (core/text.c text_starts_formula is the
-- same rule for the files onshid writes itself): a value a spreadsheet would read as a formula
-- (leading = + - @, tab, CR, or the full-width ＝ ＋ － ＠ of Japanese input methods) gets a
-- leading apostrophe. A plain SQL function, so the planner inlines it into the COPY query.
CREATE FUNCTION onshi_csv_inert(t text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN t ~ ('^[-=+@' || chr(9) || chr(13) || '＝＋－＠]') THEN '''' || t ELSE t END
$$;
