package metastore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Lease is the right to do the work named Name until ExpiresAt. Token is
// the fencing token: it grows with every acquisition.
type Lease struct {
	Name      string
	Holder    string
	Token     int64
	ExpiresAt time.Time
}

// AcquireLease takes the named lease for holder for ttl. It fails with
// ErrLeaseHeld when another holder has it and it has not expired. Each
// success returns a token greater than any before it for that name, also
// when holder re-acquires its own lease (use RenewLease to keep a token).
// Tokens survive release and expiry: lease rows are never deleted.
func (s *Store) AcquireLease(ctx context.Context, name, holder string, ttl time.Duration) (Lease, error) {
	if name == "" || holder == "" || ttl <= 0 {
		return Lease{}, errors.New("metastore: a lease needs a name, a holder and a positive ttl")
	}
	if err := s.ensureLeaseRow(ctx, name); err != nil {
		return Lease{}, err
	}
	var lease Lease
	err := s.Tx(ctx, func(tx *Tx) error {
		cur, err := tx.lockLease(ctx, name)
		if err != nil {
			return err
		}
		now := s.now().UTC()
		if cur.Holder != "" && cur.Holder != holder && cur.ExpiresAt.After(now) {
			return fmt.Errorf("lease %s: %w: %s until %s", name, ErrLeaseHeld, cur.Holder, cur.ExpiresAt.Format(time.RFC3339))
		}
		lease = Lease{Name: name, Holder: holder, Token: cur.Token + 1, ExpiresAt: fromMillis(now.Add(ttl).UnixMilli())}
		_, err = tx.tx.ExecContext(ctx, "UPDATE leases SET holder = ?, token = ?, expires_at = ? WHERE name = ?",
			lease.Holder, lease.Token, lease.ExpiresAt.UnixMilli(), name)
		return err
	})
	if err != nil {
		return Lease{}, err
	}
	return lease, nil
}

// ensureLeaseRow creates the lease's row once, so acquisitions can lock it.
func (s *Store) ensureLeaseRow(ctx context.Context, name string) error {
	insert := "INSERT OR IGNORE INTO leases (name, holder, token, expires_at) VALUES (?, '', 0, 0)"
	if s.dialect == mysqlDialect {
		insert = "INSERT IGNORE INTO leases (name, holder, token, expires_at) VALUES (?, '', 0, 0)"
	}
	if _, err := s.db.ExecContext(ctx, insert, name); err != nil {
		return fmt.Errorf("lease %s: %w", name, err)
	}
	return nil
}

// lockLease reads a lease row, locking it until the transaction ends (SQLite
// transactions here are BEGIN IMMEDIATE, which locks the whole database).
func (t *Tx) lockLease(ctx context.Context, name string) (Lease, error) {
	q := "SELECT holder, token, expires_at FROM leases WHERE name = ?"
	if t.s.dialect == mysqlDialect {
		q += " FOR UPDATE"
	}
	l := Lease{Name: name}
	var expires int64
	err := t.tx.QueryRowContext(ctx, q, name).Scan(&l.Holder, &l.Token, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return Lease{Name: name}, nil
	}
	if err != nil {
		return Lease{}, fmt.Errorf("lease %s: %w", name, err)
	}
	l.ExpiresAt = fromMillis(expires)
	return l, nil
}

// RenewLease extends a held lease; ErrLeaseLost when it expired or another
// holder took it since.
func (s *Store) RenewLease(ctx context.Context, l Lease, ttl time.Duration) (Lease, error) {
	if ttl <= 0 {
		return l, errors.New("metastore: renew lease: ttl must be positive")
	}
	err := s.Tx(ctx, func(tx *Tx) error {
		cur, err := tx.lockLease(ctx, l.Name)
		if err != nil {
			return err
		}
		now := s.now().UTC()
		if cur.Token != l.Token || !cur.ExpiresAt.After(now) {
			return fmt.Errorf("lease %s (token %d): %w", l.Name, l.Token, ErrLeaseLost)
		}
		l.ExpiresAt = fromMillis(now.Add(ttl).UnixMilli())
		_, err = tx.tx.ExecContext(ctx, "UPDATE leases SET expires_at = ? WHERE name = ? AND token = ?", l.ExpiresAt.UnixMilli(), l.Name, l.Token)
		return err
	})
	return l, err
}

// ReleaseLease gives a lease up; releasing a lease already lost is not an
// error.
func (s *Store) ReleaseLease(ctx context.Context, l Lease) error {
	_, err := s.db.ExecContext(ctx, "UPDATE leases SET holder = '', expires_at = 0 WHERE name = ? AND token = ?", l.Name, l.Token)
	if err != nil {
		return fmt.Errorf("release lease %s: %w", l.Name, err)
	}
	return nil
}

// CheckFence returns ErrLeaseLost unless token is the lease's current token
// and the lease has not expired. Check it in the transaction that publishes.
func (t *Tx) CheckFence(ctx context.Context, name string, token int64) error {
	cur, err := t.lockLease(ctx, name)
	if err != nil {
		return err
	}
	if cur.Token != token || !cur.ExpiresAt.After(t.s.now().UTC()) {
		return fmt.Errorf("lease %s (token %d, current %d): %w", name, token, cur.Token, ErrLeaseLost)
	}
	return nil
}

// CheckFence is Tx.CheckFence in a transaction of its own, for a quick
// check before starting work. The check that protects data is the one
// inside the transaction that records the publish.
func (s *Store) CheckFence(ctx context.Context, name string, token int64) error {
	return s.Tx(ctx, func(tx *Tx) error { return tx.CheckFence(ctx, name, token) })
}
