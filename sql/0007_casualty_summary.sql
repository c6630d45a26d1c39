-- The consolidation rule, written once and used by the API, its filters and its orderings.
-- Per event, category and population, across every report's figure: low is the smallest number
-- any report gives, high the largest, best the median of the best estimates (the lower middle
-- one when their count is even): reports disagree and no single report wins.
CREATE VIEW casualty_population_summary AS
SELECT event_id, category, population,
  min(coalesce(low, best, high)) AS low,
  percentile_disc(0.5) WITHIN GROUP (ORDER BY best) AS best,
  max(coalesce(high, best, low)) AS high,
  count(*)::int AS figures
FROM casualty_figure
GROUP BY event_id, category, population;

-- Per event and category: the 'all' population when some report gives a total, else the sum
-- over the other populations.
CREATE VIEW casualty_summary AS
SELECT event_id, category,
  sum(low)::int AS low, sum(best)::int AS best, sum(high)::int AS high, sum(figures)::int AS figures
FROM (
  SELECT *, bool_or(population = 'all') OVER (PARTITION BY event_id, category) AS has_total
  FROM casualty_population_summary
) populations
WHERE (population = 'all') = has_total
GROUP BY event_id, category;
