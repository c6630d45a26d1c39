-- Imports find reports by their reference text (UCDP's source_article items have no URL): one
-- report per reference among URL-less reports, so re-imports reuse them.
CREATE UNIQUE INDEX report_citation_text_key ON report (citation) WHERE url IS NULL AND citation IS NOT NULL;
