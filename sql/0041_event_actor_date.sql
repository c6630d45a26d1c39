-- A group's events, newest first (its profile's events page, `group.events`), as a range of one
-- index instead of a walk over every event newest first until a page of the group's is found:
-- the walk's length grew with the events of all the other groups. event_actor carries a copy
-- of its event's date_start, kept by the triggers below whoever writes (mutations, importer,
-- synth, reverts); writers never give it.
ALTER TABLE event_actor ADD COLUMN event_date_start date;
UPDATE event_actor actor SET event_date_start = event.date_start
FROM event WHERE event.id = actor.event_id;
ALTER TABLE event_actor ALTER COLUMN event_date_start SET NOT NULL;

CREATE INDEX event_actor_group_date_idx ON event_actor (group_id, event_date_start DESC, event_id DESC);

CREATE FUNCTION event_actor_copy_event_date() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  SELECT date_start INTO NEW.event_date_start FROM event WHERE id = NEW.event_id;
  RETURN NEW;
END;
$$;

CREATE TRIGGER event_actor_copy_event_date BEFORE INSERT OR UPDATE OF event_id, event_date_start
  ON event_actor FOR EACH ROW EXECUTE FUNCTION event_actor_copy_event_date();

CREATE FUNCTION event_date_to_actors() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE event_actor SET event_date_start = NEW.date_start WHERE event_id = NEW.id;
  RETURN NULL;
END;
$$;

CREATE TRIGGER event_date_to_actors AFTER UPDATE OF date_start ON event
  FOR EACH ROW WHEN (OLD.date_start IS DISTINCT FROM NEW.date_start)
  EXECUTE FUNCTION event_date_to_actors();
