-- A mutation may update its object's row several times (its own change, then the casualty
-- rollup trigger when it touched figures) but is one step of the version, which it sets itself
-- at the end. Its transaction says so with the setting attest.explicit_versions; any other
-- update (imports, scripts) steps the version by one as before.
CREATE OR REPLACE FUNCTION touch_versioned_row() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW.updated_at := now();
  IF coalesce(current_setting('attest.explicit_versions', true), '') <> 'on' THEN
    NEW.version := OLD.version + 1;
  END IF;
  RETURN NEW;
END;
$$;
