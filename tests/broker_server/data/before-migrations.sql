-- made by apact before migrations (main at f7ca701): sqlite3 broker.sqlite .dump
PRAGMA user_version = 1;
PRAGMA foreign_keys=OFF;
BEGIN TRANSACTION;
CREATE TABLE pacticipants (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, display_name TEXT, repository_url TEXT,
    main_branch TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
INSERT INTO pacticipants VALUES(1,'Web',NULL,NULL,NULL,'2026-12-02T18:05:51.063374+00:00','2026-12-02T18:05:51.063374+00:00');
INSERT INTO pacticipants VALUES(2,'Api',NULL,NULL,NULL,'2026-12-02T18:05:51.068630+00:00','2026-12-02T18:05:51.068630+00:00');
CREATE TABLE versions (
    id INTEGER PRIMARY KEY, pacticipant_id INTEGER NOT NULL REFERENCES pacticipants ON DELETE CASCADE,
    number TEXT NOT NULL, build_url TEXT, created_at TEXT NOT NULL, UNIQUE (pacticipant_id, number));
INSERT INTO versions VALUES(1,1,'1.0.0',NULL,'2026-12-02T18:05:51.063691+00:00');
INSERT INTO versions VALUES(2,2,'9',NULL,'2026-12-02T18:05:51.069618+00:00');
CREATE TABLE branches (
    id INTEGER PRIMARY KEY, pacticipant_id INTEGER NOT NULL REFERENCES pacticipants ON DELETE CASCADE,
    name TEXT NOT NULL, created_at TEXT NOT NULL, UNIQUE (pacticipant_id, name));
INSERT INTO branches VALUES(1,1,'main','2026-12-02T18:05:51.068241+00:00');
CREATE TABLE branch_versions (
    branch_id INTEGER NOT NULL REFERENCES branches ON DELETE CASCADE,
    version_id INTEGER NOT NULL REFERENCES versions ON DELETE CASCADE,
    created_at TEXT NOT NULL, PRIMARY KEY (branch_id, version_id));
INSERT INTO branch_versions VALUES(1,1,'2026-12-02T18:05:51.068241+00:00');
CREATE TABLE tags (
    version_id INTEGER NOT NULL REFERENCES versions ON DELETE CASCADE, name TEXT NOT NULL,
    created_at TEXT NOT NULL, PRIMARY KEY (version_id, name));
INSERT INTO tags VALUES(1,'prod','2026-12-02T18:05:51.068508+00:00');
CREATE TABLE environments (
    uuid TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, display_name TEXT, production INTEGER NOT NULL,
    contacts TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
INSERT INTO environments VALUES('e-1','production','Production',1,'[]','2026-12-02T18:05:51.070386+00:00','2026-12-02T18:05:51.070386+00:00');
CREATE TABLE deployments (
    uuid TEXT PRIMARY KEY, kind TEXT NOT NULL CHECK (kind IN ('deployed', 'released')),
    version_id INTEGER NOT NULL REFERENCES versions ON DELETE CASCADE,
    environment_uuid TEXT NOT NULL REFERENCES environments ON DELETE CASCADE,
    application_instance TEXT, active INTEGER NOT NULL, created_at TEXT NOT NULL, ended_at TEXT);
INSERT INTO deployments VALUES('d-1','deployed',2,'e-1',NULL,1,'2026-12-02T18:05:51.070616+00:00',NULL);
CREATE TABLE pact_contents (
    sha TEXT PRIMARY KEY, consumer_id INTEGER NOT NULL REFERENCES pacticipants ON DELETE CASCADE,
    provider_id INTEGER NOT NULL REFERENCES pacticipants ON DELETE CASCADE,
    content TEXT NOT NULL, created_at TEXT NOT NULL);
INSERT INTO pact_contents VALUES('703f4849141c993f48981d575c50614f40f84ed0',1,2,'{"consumer": {"name": "Web"}, "provider": {"name": "Api"}, "interactions": [{"description": "a request", "request": {"method": "GET", "path": "/"}, "response": {"status": 200}}], "metadata": {"pactSpecification": {"version": "2.0.0"}}}','2026-12-02T18:05:51.069265+00:00');
CREATE TABLE publications (
    id INTEGER PRIMARY KEY, consumer_version_id INTEGER NOT NULL REFERENCES versions ON DELETE CASCADE,
    provider_id INTEGER NOT NULL REFERENCES pacticipants ON DELETE CASCADE,
    sha TEXT NOT NULL REFERENCES pact_contents, created_at TEXT NOT NULL);
INSERT INTO publications VALUES(1,1,2,'703f4849141c993f48981d575c50614f40f84ed0','2026-12-02T18:05:51.069351+00:00');
CREATE TABLE verifications (
    id INTEGER PRIMARY KEY, sha TEXT NOT NULL REFERENCES pact_contents,
    consumer_id INTEGER NOT NULL REFERENCES pacticipants ON DELETE CASCADE,
    provider_id INTEGER NOT NULL REFERENCES pacticipants ON DELETE CASCADE,
    provider_version_id INTEGER NOT NULL REFERENCES versions ON DELETE CASCADE,
    success INTEGER NOT NULL, wip INTEGER NOT NULL, build_url TEXT, test_results TEXT NOT NULL,
    verified_by TEXT NOT NULL, created_at TEXT NOT NULL);
INSERT INTO verifications VALUES(1,'703f4849141c993f48981d575c50614f40f84ed0',1,2,2,1,0,NULL,'[]','null','2026-12-02T18:05:51.069972+00:00');
CREATE TABLE webhooks (
    uuid TEXT PRIMARY KEY, document TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
INSERT INTO webhooks VALUES('w-1','{"description": "a hook", "events": [{"name": "contract_published"}], "request": {"method": "POST", "url": "https://ci.example/hook"}}','2026-12-02T18:05:51.070815+00:00','2026-12-02T18:05:51.070815+00:00');
CREATE INDEX publications_by_provider ON publications (provider_id, consumer_version_id);
CREATE INDEX verifications_by_sha ON verifications (sha);
COMMIT;
