-- Names and aliases as people mean them: no leading, trailing or repeated whitespace, whoever
-- writes them (a mutation, an importer, an older release of the service): triggers, so that no
-- writer can store " Dup  Alias " beside "Dup Alias". Expand-only: nothing an older release
-- reads or writes changes shape.
CREATE FUNCTION attest_tidy_name(value text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN btrim(regexp_replace(value, '\s+', ' ', 'g'));

CREATE FUNCTION attest_tidy_name_column() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.name := attest_tidy_name(NEW.name);
  RETURN NEW;
END $$;

CREATE FUNCTION attest_tidy_group_alias() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.alias := attest_tidy_name(NEW.alias);
  RETURN NEW;
END $$;

CREATE FUNCTION attest_tidy_person_aliases() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.aliases := ARRAY(SELECT attest_tidy_name(alias) FROM unnest(NEW.aliases) AS alias);
  RETURN NEW;
END $$;

-- Rows written before: tidied once. An alias that tidies into another of its group goes.
DELETE FROM group_alias a USING group_alias b
WHERE a.group_id = b.group_id AND a.id > b.id
  AND lower(attest_tidy_name(a.alias)) = lower(attest_tidy_name(b.alias));
UPDATE group_alias SET alias = attest_tidy_name(alias) WHERE alias <> attest_tidy_name(alias);
UPDATE armed_group SET name = attest_tidy_name(name) WHERE name <> attest_tidy_name(name);
UPDATE person SET name = attest_tidy_name(name) WHERE name <> attest_tidy_name(name);
UPDATE person SET aliases = ARRAY(SELECT attest_tidy_name(alias) FROM unnest(aliases) AS alias)
WHERE EXISTS (SELECT 1 FROM unnest(aliases) AS alias WHERE alias <> attest_tidy_name(alias));
UPDATE source SET name = attest_tidy_name(name) WHERE name <> attest_tidy_name(name);
UPDATE place SET name = attest_tidy_name(name) WHERE name <> attest_tidy_name(name);

CREATE TRIGGER armed_group_tidy_name BEFORE INSERT OR UPDATE OF name ON armed_group
  FOR EACH ROW EXECUTE FUNCTION attest_tidy_name_column();
CREATE TRIGGER person_tidy_name BEFORE INSERT OR UPDATE OF name ON person
  FOR EACH ROW EXECUTE FUNCTION attest_tidy_name_column();
CREATE TRIGGER source_tidy_name BEFORE INSERT OR UPDATE OF name ON source
  FOR EACH ROW EXECUTE FUNCTION attest_tidy_name_column();
CREATE TRIGGER place_tidy_name BEFORE INSERT OR UPDATE OF name ON place
  FOR EACH ROW EXECUTE FUNCTION attest_tidy_name_column();
CREATE TRIGGER group_alias_tidy BEFORE INSERT OR UPDATE OF alias ON group_alias
  FOR EACH ROW EXECUTE FUNCTION attest_tidy_group_alias();
CREATE TRIGGER person_tidy_aliases BEFORE INSERT OR UPDATE OF aliases ON person
  FOR EACH ROW EXECUTE FUNCTION attest_tidy_person_aliases();

-- "Is this alias another group's?" looks aliases up by their text alone.
CREATE INDEX group_alias_lower_idx ON group_alias (lower(alias));
