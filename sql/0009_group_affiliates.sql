-- "A group and its affiliates", written once: every group that is one of the given groups or
-- reaches one through allegiance or branch relations, with the span of days over which the
-- whole path was valid (NULL bounds are open). Used by the events filter (valid at each
-- event's date) and by "affiliates as of a date".
CREATE FUNCTION group_affiliates(group_ids bigint[])
RETURNS TABLE (group_id bigint, valid daterange)
LANGUAGE sql STABLE ROWS 20 AS $$
  WITH RECURSIVE affiliate (group_id, valid) AS (
    SELECT id, daterange(NULL, NULL) FROM unnest(group_ids) AS asked (id)
    UNION
    SELECT relation.from_group_id, affiliate.valid * daterange(relation.valid_from, relation.valid_to, '[]')
    FROM group_relation relation
    JOIN affiliate ON relation.to_group_id = affiliate.group_id
    WHERE relation.kind IN ('allegiance', 'branch_of')
      AND NOT isempty(affiliate.valid * daterange(relation.valid_from, relation.valid_to, '[]'))
  )
  SELECT group_id, valid FROM affiliate
$$;
