-- Sources found again by name, whoever names them. Datasets spell one source many ways ("Reuters
-- News" beside "Reuters", "AFP" beside "Agence France Presse"): a name's key ignores case,
-- punctuation and the suffixes outlets add to their names, the shipped variants map known
-- abbreviations and spellings to one name, and each source's aliases (an editor's, a merge's)
-- name it too. Importers resolve names through source_for_name; nothing an older release
-- reads or writes changes shape.
CREATE FUNCTION source_name_key(name text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN regexp_replace(
    btrim(regexp_replace(replace(lower(name), '&', ' and '), '[^[:alnum:]]+', ' ', 'g')),
    '( (news|newswire|newswires|news agency|online|english|in english|international service))+$', '');

-- The index that finds sources by this key is built beside, without blocking writes (0054).

-- Spellings of well-known sources in the datasets' source columns, mapped to one name and kind.
CREATE TABLE source_name_variant (
  key text PRIMARY KEY,
  name text NOT NULL,
  kind source_kind NOT NULL
);
-- Variants that the key already equates ("Xinhua News Agency" is "Xinhua") are listed once.
INSERT INTO source_name_variant (key, name, kind)
SELECT DISTINCT ON (source_name_key(variant)) source_name_key(variant), name, kind::source_kind
FROM (VALUES
  ('Agence France-Presse', 'news_agency', ARRAY['Agence France-Presse', 'AFP', 'Agence France Presse']),
  ('Reuters', 'news_agency', ARRAY['Reuters', 'Thomson Reuters']),
  ('Associated Press', 'news_agency', ARRAY['Associated Press', 'AP']),
  ('Deutsche Presse-Agentur', 'news_agency', ARRAY['Deutsche Presse-Agentur', 'dpa']),
  ('Xinhua', 'news_agency', ARRAY['Xinhua', 'Xinhua News Agency', 'Xinhua General News Service']),
  ('BBC Monitoring', 'news_outlet', ARRAY['BBC Monitoring', 'BBC Worldwide Monitoring']),
  ('Al Jazeera', 'news_outlet', ARRAY['Al Jazeera', 'Aljazeera']),
  ('Human Rights Watch', 'ngo', ARRAY['Human Rights Watch', 'HRW']),
  ('Amnesty International', 'ngo', ARRAY['Amnesty International', 'Amnesty', 'AI']),
  ('International Crisis Group', 'ngo', ARRAY['International Crisis Group', 'ICG', 'Crisis Group']),
  ('Médecins Sans Frontières', 'ngo', ARRAY['Médecins Sans Frontières', 'Medecins Sans Frontieres', 'MSF', 'Doctors Without Borders']),
  ('UN OCHA', 'international_organization', ARRAY['UN OCHA', 'OCHA', 'United Nations Office for the Coordination of Humanitarian Affairs']),
  ('UN Security Council', 'international_organization', ARRAY['UN Security Council', 'United Nations Security Council', 'UNSC']),
  ('UNHCR', 'international_organization', ARRAY['UNHCR', 'United Nations High Commissioner for Refugees']),
  ('OHCHR', 'international_organization', ARRAY['OHCHR', 'United Nations Human Rights Office of the High Commissioner', 'UN Human Rights Office'])
) AS known (name, kind, variants), unnest(variants) AS variant
ORDER BY source_name_key(variant), name;

-- A source's other names: one name names one source.
CREATE TABLE source_alias (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  source_id bigint NOT NULL REFERENCES source (id) ON DELETE CASCADE,
  alias text NOT NULL CONSTRAINT source_alias_not_blank CHECK (alias ~ '\S'),
  key text GENERATED ALWAYS AS (source_name_key(alias)) STORED,
  CONSTRAINT source_alias_key UNIQUE (key)
);
CREATE INDEX source_alias_source_id_idx ON source_alias (source_id);
CREATE TRIGGER source_alias_tidy BEFORE INSERT OR UPDATE OF alias ON source_alias
  FOR EACH ROW EXECUTE FUNCTION attest_tidy_group_alias();

-- The source a name means: by a shipped variant's name, then an alias, then a source's name;
-- null when none is known.
CREATE FUNCTION source_named(given text) RETURNS bigint
LANGUAGE sql STABLE AS $$
  WITH wanted AS (
    SELECT source_name_key(coalesce(
      (SELECT v.name FROM source_name_variant v WHERE v.key = source_name_key(given)), given)) AS key
  )
  SELECT coalesce(
    (SELECT a.source_id FROM source_alias a, wanted WHERE a.key = wanted.key),
    (SELECT s.id FROM source s, wanted WHERE source_name_key(s.name) = wanted.key ORDER BY s.id LIMIT 1))
$$;

-- The source a name means, created (with a known variant's name and kind, else as given and of
-- kind 'other') when there is none.
CREATE FUNCTION source_for_name(given text) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
  found bigint := source_named(given);
  variant source_name_variant;
BEGIN
  IF found IS NOT NULL OR source_name_key(given) = '' THEN
    RETURN found;
  END IF;
  SELECT * INTO variant FROM source_name_variant v WHERE v.key = source_name_key(given);
  INSERT INTO source (name, kind)
  -- A dataset's list leaves stops and commas behind ("africanews."): they are not the name.
  VALUES (coalesce(variant.name, regexp_replace(attest_tidy_name(given), '[.,;:]+$', '')),
    coalesce(variant.kind, 'other'))
  ON CONFLICT (kind, lower(name)) DO NOTHING
  RETURNING id INTO found;
  -- Created meanwhile by a concurrent writer: theirs.
  RETURN coalesce(found, source_named(given));
END;
$$;
