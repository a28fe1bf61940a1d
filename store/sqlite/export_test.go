package sqlite

// SkipMigrationLock makes Migrate skip its lock, for the negative control of
// TestMigrateTwoProcesses.
var SkipMigrationLock = &skipMigrationLock
