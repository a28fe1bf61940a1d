package store

// SkipSQLiteMigrationLock makes Migrate skip its SQLite lock, for the
// negative control of TestMigrateTwoProcessesSQLite.
var SkipSQLiteMigrationLock = &skipSQLiteMigrationLock
