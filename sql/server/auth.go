package server

import (
	"crypto/sha1"
	"crypto/subtle"
	"crypto/x509"
	"encoding/hex"
	"net"

	gsql "github.com/dolthub/go-mysql-server/sql"
	"github.com/dolthub/vitess/go/mysql"
)

// nativeAuth checks logins with mysql_native_password only, against the
// configured users. go-mysql-server's own check answers an unknown user
// with a different error ("No authentication methods available", 2012)
// than a wrong password, telling a stranger which names exist; this one
// answers both with MySQL's 1045. It also offers no clear-text or
// caching_sha2 fallback.
type nativeAuth struct {
	users map[string][]byte // name → SHA1(SHA1(password))
}

func newNativeAuth(users []User) (*nativeAuth, error) {
	a := &nativeAuth{users: map[string][]byte{}}
	for _, u := range users {
		h, err := hex.DecodeString(u.Hash[1:]) // checked by Validate
		if err != nil {
			return nil, err
		}
		a.users[u.Name] = h
	}
	return a, nil
}

func (a *nativeAuth) AuthMethods() []mysql.AuthMethod {
	return []mysql.AuthMethod{mysql.NewMysqlNativeAuthMethod(a, a)}
}

func (a *nativeAuth) DefaultAuthMethodDescription() mysql.AuthMethodDescription {
	return mysql.MysqlNativePassword
}

// HandleUser takes every name, so unknown ones fail like wrong passwords.
func (a *nativeAuth) HandleUser(string, net.Addr) bool { return true }

// UserEntryWithHash checks the client's scramble: it sent
// SHA1(pw) XOR SHA1(salt + SHA1(SHA1(pw))).
func (a *nativeAuth) UserEntryWithHash(_ []*x509.Certificate, salt []byte, user string, resp []byte, addr net.Addr) (mysql.Getter, error) {
	denied := mysql.NewSQLError(mysql.ERAccessDeniedError, mysql.SSAccessDeniedError, "Access denied for user '%v'", user)
	stored, ok := a.users[user]
	if !ok || len(resp) != sha1.Size {
		return nil, denied
	}
	h := sha1.New()
	h.Write(salt)
	h.Write(stored)
	stage1 := h.Sum(nil)
	for i := range stage1 {
		stage1[i] ^= resp[i]
	}
	got := sha1.Sum(stage1)
	if subtle.ConstantTimeCompare(got[:], stored) != 1 {
		return nil, denied
	}
	// The account's host, as go-mysql-server's own check gives: every
	// user is user@'%'.
	return gsql.MysqlConnectionUser{User: user, Host: "%"}, nil
}
