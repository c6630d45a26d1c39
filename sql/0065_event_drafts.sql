-- Drafts of events made from news reports (src/drafts/): what the extractor found, with the
-- span of text behind each value, waiting for an editor to accept (the event is then written
-- through the one write path) or reject it. A new table only: the previous release neither reads
-- nor writes it.
CREATE TYPE draft_status AS ENUM ('new', 'accepted', 'rejected');

CREATE TABLE event_draft (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  status draft_status NOT NULL DEFAULT 'new',
  -- The report as pasted: every span in `draft` is an offset into it.
  text text NOT NULL CONSTRAINT event_draft_text_not_blank CHECK (text ~ '\S'),
  url text CONSTRAINT event_draft_url_format CHECK (url ~ '^https?://[^\s]+$'),
  published_on date NOT NULL,
  source_name text NOT NULL CONSTRAINT event_draft_source_not_blank CHECK (source_name ~ '\S'),
  -- Which extractor made it (name and version).
  extractor text NOT NULL,
  -- The extraction, its names matched to records (groups, places, sources, persons, events):
  -- the API's EventDraft fields, in its own spelling (enums upper case).
  draft jsonb NOT NULL,
  created_by bigint REFERENCES api_key (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  decided_by bigint REFERENCES api_key (id),
  decided_at timestamptz,
  reject_reason text,
  -- The event an accepted draft became.
  event_id bigint REFERENCES event (id),
  CONSTRAINT event_draft_decided CHECK ((status = 'new') = (decided_at IS NULL)),
  CONSTRAINT event_draft_accepted_event CHECK ((status = 'accepted') = (event_id IS NOT NULL))
);
-- The review queue: a status's drafts, newest first.
CREATE INDEX event_draft_status_idx ON event_draft (status, id DESC);
CREATE INDEX event_draft_event_id_idx ON event_draft (event_id);
-- Who made and who decided each draft (an API key's revocation looks them up).
CREATE INDEX event_draft_created_by_idx ON event_draft (created_by);
CREATE INDEX event_draft_decided_by_idx ON event_draft (decided_by);
