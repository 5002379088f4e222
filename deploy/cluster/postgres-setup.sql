-- The PostgreSQL side of a Latitude cluster (deploy/cluster/README.md). Run once as the
-- superuser:  sudo -u postgres psql -v password="'…'" -f postgres-setup.sql
-- The nodes apply the migrations of Schema/postgres/ themselves when they start (under an
-- advisory lock, so nodes starting together migrate once); this creates what they need.
CREATE ROLE latitude LOGIN PASSWORD :password;
CREATE DATABASE latitude OWNER latitude;
\connect latitude
-- Nothing else may write the op log; readers (backups, analytics) get their own role.
REVOKE ALL ON DATABASE latitude FROM PUBLIC;
GRANT CONNECT ON DATABASE latitude TO latitude;
