package engine

import (
	"time"

	gsql "github.com/dolthub/go-mysql-server/sql"
)

// A database has no views, triggers, stored procedures or events, and
// says so: with users enabled, go-mysql-server wraps every database in
// one that fails when the database does not implement these interfaces —
// on every table look-up (views) and on information_schema.routines or
// .events, which BI tools read. Creating any of them is refused.
var (
	_ gsql.ViewDatabase            = (*database)(nil)
	_ gsql.TriggerDatabase         = (*database)(nil)
	_ gsql.StoredProcedureDatabase = (*database)(nil)
	_ gsql.EventDatabase           = (*database)(nil)
)

func (d *database) CreateView(*gsql.Context, string, string, string) error {
	return gsql.ErrReadOnly.New()
}
func (d *database) DropView(*gsql.Context, string) error { return gsql.ErrReadOnly.New() }
func (d *database) GetViewDefinition(*gsql.Context, string) (gsql.ViewDefinition, bool, error) {
	return gsql.ViewDefinition{}, false, nil
}
func (d *database) AllViews(*gsql.Context) ([]gsql.ViewDefinition, error) { return nil, nil }

func (d *database) GetTriggers(*gsql.Context) ([]gsql.TriggerDefinition, error) { return nil, nil }
func (d *database) CreateTrigger(*gsql.Context, gsql.TriggerDefinition) error {
	return gsql.ErrReadOnly.New()
}
func (d *database) DropTrigger(*gsql.Context, string) error { return gsql.ErrReadOnly.New() }

func (d *database) GetStoredProcedure(*gsql.Context, string) (gsql.StoredProcedureDetails, bool, error) {
	return gsql.StoredProcedureDetails{}, false, nil
}
func (d *database) GetStoredProcedures(*gsql.Context) ([]gsql.StoredProcedureDetails, error) {
	return nil, nil
}
func (d *database) SaveStoredProcedure(*gsql.Context, gsql.StoredProcedureDetails) error {
	return gsql.ErrReadOnly.New()
}
func (d *database) DropStoredProcedure(*gsql.Context, string) error { return gsql.ErrReadOnly.New() }

func (d *database) GetEvent(*gsql.Context, string) (gsql.EventDefinition, bool, error) {
	return gsql.EventDefinition{}, false, nil
}
func (d *database) GetEvents(*gsql.Context) ([]gsql.EventDefinition, interface{}, error) {
	return nil, nil, nil
}
func (d *database) SaveEvent(*gsql.Context, gsql.EventDefinition) (bool, error) {
	return false, gsql.ErrReadOnly.New()
}
func (d *database) DropEvent(*gsql.Context, string) error { return gsql.ErrReadOnly.New() }
func (d *database) UpdateEvent(*gsql.Context, string, gsql.EventDefinition) (bool, error) {
	return false, gsql.ErrReadOnly.New()
}
func (d *database) UpdateLastExecuted(*gsql.Context, string, time.Time) error {
	return gsql.ErrReadOnly.New()
}
func (d *database) NeedsToReloadEvents(*gsql.Context, interface{}) (bool, error) { return false, nil }
