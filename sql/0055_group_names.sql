-- Groups meet across datasets. UCDP, ACLED and GTD name one group their own ways ("IS",
-- "Islamic State (ISIS)", "Islamic State of Iraq and the Levant (ISIL)"): a name's key ignores
-- case and punctuation, the shipped variants map the best-known groups' spellings in the
-- datasets' codebooks to one name, and importers find a group by any of them (its name or an
-- alias). What no rule equates is left to groupMergeCandidates and an admin's mergeGroups.
CREATE FUNCTION group_name_key(name text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN btrim(regexp_replace(lower(name), '[^[:alnum:]]+', ' ', 'g'));

CREATE TABLE group_name_variant (
  key text PRIMARY KEY,
  name text NOT NULL
);
INSERT INTO group_name_variant (key, name)
SELECT DISTINCT ON (group_name_key(variant)) group_name_key(variant), name
FROM (VALUES
  ('Islamic State', ARRAY['Islamic State', 'IS', 'ISIS', 'ISIL', 'Daesh', 'Islamic State (IS)',
    'Islamic State (ISIS)', 'Islamic State of Iraq and the Levant', 'Islamic State of Iraq and the Levant (ISIL)',
    'Islamic State of Iraq and Syria', 'Islamic State of Iraq and Syria (ISIS)', 'Islamic State of Iraq (ISI)']),
  ('Islamic State West Africa Province', ARRAY['Islamic State West Africa Province', 'ISWAP',
    'Islamic State West Africa Province (ISWAP)', 'IS - West Africa Province', 'Islamic State (West Africa)']),
  ('Al-Qaida in the Islamic Maghreb', ARRAY['Al-Qaida in the Islamic Maghreb', 'AQIM',
    'Al-Qaida in the Islamic Maghreb (AQIM)', 'Al-Qaeda in the Islamic Maghreb', 'Al-Qaeda in the Islamic Maghreb (AQIM)']),
  ('Al-Qaida in the Arabian Peninsula', ARRAY['Al-Qaida in the Arabian Peninsula', 'AQAP',
    'Al-Qaida in the Arabian Peninsula (AQAP)', 'Al-Qaeda in the Arabian Peninsula (AQAP)']),
  ('Al-Qaida', ARRAY['Al-Qaida', 'Al-Qaeda', 'Al Qaida', 'Al Qaeda']),
  ('Boko Haram', ARRAY['Boko Haram', 'Jama''atu Ahlis Sunna Lidda''awati wal-Jihad', 'JAS',
    'Boko Haram - Jamaatu Ahli is-Sunnah lid-Dawati wal-Jihad']),
  ('Al-Shabaab', ARRAY['Al-Shabaab', 'Al-Shabab', 'Al Shabaab', 'Harakat al-Shabaab al-Mujahideen']),
  ('Jama''at Nusrat al-Islam wal-Muslimin', ARRAY['Jama''at Nusrat al-Islam wal-Muslimin', 'JNIM',
    'Jama''at Nusrat al-Islam wal-Muslimin (JNIM)', 'Jamaat Nusrat al-Islam wal-Muslimin']),
  ('Taliban', ARRAY['Taliban', 'Taleban']),
  ('Hamas', ARRAY['Hamas', 'Harakat al-Muqawama al-Islamiya']),
  ('Hezbollah', ARRAY['Hezbollah', 'Hizballah', 'Hizbullah']),
  ('Lord''s Resistance Army', ARRAY['Lord''s Resistance Army', 'LRA', 'Lord''s Resistance Army (LRA)']),
  ('Seleka', ARRAY['Seleka', 'Séléka', 'Seleka Rebel Coalition']),
  ('Anti-balaka', ARRAY['Anti-balaka', 'Anti Balaka']),
  ('Jund al-Khilafa', ARRAY['Jund al-Khilafa', 'Jund al-Khilafah', 'Jund al-Khilafa in Tunisia',
    'Jund al-Khilafah in Tunisia', 'Jund al-Khilafa-Tunisia', 'Jund al-Khilafah-Tunisia'])
) AS known (name, variants), unnest(variants) AS variant
ORDER BY group_name_key(variant), name;

-- Every key a name may be written under: its own, and those of every spelling of its group.
CREATE FUNCTION group_name_keys(given text) RETURNS text[]
LANGUAGE sql STABLE AS $$
  SELECT array_agg(DISTINCT key) FROM (
    SELECT group_name_key(given) AS key
    UNION ALL
    SELECT other.key FROM group_name_variant spelled
    JOIN group_name_variant other ON other.name = spelled.name
    WHERE spelled.key = group_name_key(given)
  ) keys
$$;

-- The live group a name means (its name or an alias, in any known spelling); the oldest when
-- several do; null when none does.
CREATE FUNCTION group_named(given text) RETURNS bigint
LANGUAGE sql STABLE AS $$
  WITH keys AS (SELECT group_name_keys(given) AS keys)
  SELECT min(id) FROM (
    SELECT g.id FROM armed_group g, keys
    WHERE group_name_key(g.name) = ANY(keys.keys) AND g.merged_into_id IS NULL
    UNION ALL
    SELECT g.id FROM group_alias a JOIN armed_group g ON g.id = a.group_id, keys
    WHERE group_name_key(a.alias) = ANY(keys.keys) AND g.merged_into_id IS NULL
  ) named
$$;

-- The name a new group gets: the shipped name of its spelling, else as the dataset writes it.
CREATE FUNCTION group_canonical_name(given text) RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT coalesce((SELECT name FROM group_name_variant WHERE key = group_name_key(given)), given)
$$;
