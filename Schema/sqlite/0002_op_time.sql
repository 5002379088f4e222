-- Latitude op log, version 2: when each op was committed (unix milliseconds, the server's
-- clock at the group commit), for a history people can read. Ops logged before this
-- migration have none (NULL).
ALTER TABLE ops ADD COLUMN at_ms INTEGER;
