-- What steps a version. A mutation may update its object's row several times (its own change,
-- then the casualty rollup when it touched figures) but is one step of the version, which it
-- sets itself at the end; its transaction says so with the setting attest.explicit_versions.
-- The rollup columns alone are derived data, not an edit: refreshing them (when figures are
-- loaded or imported) keeps the version. (A BEFORE trigger sees generated columns such as
-- search_vector not yet computed, so they are left out of the comparison too.) Any other update
-- steps the version by one, as before.
CREATE OR REPLACE FUNCTION touch_versioned_row() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW.updated_at := now();
  IF coalesce(current_setting('attest.explicit_versions', true), '') <> 'on'
    AND to_jsonb(NEW) - '{killed_best,injured_best,updated_at,search_vector}'::text[]
      IS DISTINCT FROM to_jsonb(OLD) - '{killed_best,injured_best,updated_at,search_vector}'::text[]
  THEN
    NEW.version := OLD.version + 1;
  END IF;
  RETURN NEW;
END;
$$;
