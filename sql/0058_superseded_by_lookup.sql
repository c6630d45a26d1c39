-- The same rule as sql/0051 (a figure its own source states again later is superseded), asked of
-- each figure by a lookup instead of a window over its event's figures. Most figures have no
-- other figure of their event, category and population, and the key's index says so at once;
-- a figure looked up by its id alone no longer ranks every figure in the table.
CREATE OR REPLACE VIEW casualty_figure_standing AS
SELECT f.*,
  EXISTS (
    SELECT 1
    FROM casualty_figure later
    JOIN report later_report ON later_report.id = later.report_id
    JOIN report r ON r.id = f.report_id
    WHERE later.event_id = f.event_id AND later.category = f.category
      AND later.population = f.population AND later.id <> f.id
      AND later_report.source_id = r.source_id
      AND (coalesce(later_report.published_on, '-infinity'), later_report.id)
        > (coalesce(r.published_on, '-infinity'), r.id)
  ) AS superseded
FROM casualty_figure f;
