package source

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
)

// initConnector runs sessionInit on every connection the pool opens, so
// a reconnect after a dropped connection gets the same settings.
type initConnector struct {
	driver.Connector
}

func (c *initConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	ex, ok := conn.(driver.ExecerContext)
	if !ok {
		conn.Close()
		return nil, errors.New("mysql driver connection cannot execute statements")
	}
	for _, q := range sessionInit {
		if _, err := ex.ExecContext(ctx, q, nil); err != nil {
			// Timeouts are MySQL-only variables; MySQL-compatible servers
			// that lack them still get the settings that matter.
			if q == sessionInit[2] {
				continue
			}
			conn.Close()
			return nil, fmt.Errorf("session setup %q: %w", q, err)
		}
	}
	return conn, nil
}
