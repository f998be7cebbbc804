-- Version 0 marks an initialised database; the faces' tables follow in their own migrations.
CREATE TABLE IF NOT EXISTS store_info (key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT OR IGNORE INTO store_info(key, value) VALUES ('created_by', 'wrike-backend');
