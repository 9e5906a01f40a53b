package warehouse

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	krb "github.com/jcmturner/gokrb5/v8/client"
	krbconfig "github.com/jcmturner/gokrb5/v8/config"
	"github.com/jcmturner/gokrb5/v8/credentials"
	"github.com/jcmturner/gokrb5/v8/iana/nametype"
	"github.com/jcmturner/gokrb5/v8/keytab"
	"github.com/jcmturner/gokrb5/v8/types"
)

// KerberosOptions say how hetl logs in to a Kerberized Hadoop cluster (one
// whose configuration sets hadoop.security.authentication=kerberos). With
// Keytab it logs in from the keytab and renews its tickets itself; without,
// it uses a ticket cache someone keeps fresh with kinit.
type KerberosOptions struct {
	// Principal is who to log in as: user, user@REALM or user/host@REALM
	// (no realm: krb5.conf's default_realm). Required with Keytab.
	Principal string
	// Keytab is a keytab file holding Principal's keys.
	Keytab string
	// CCache is the ticket cache used without a keytab; "" means
	// $KRB5CCNAME, else /tmp/krb5cc_<uid>. Only FILE: caches are supported.
	CCache string
	// Krb5Conf is the krb5.conf naming the realm's KDCs; "" means
	// $KRB5_CONFIG, else /etc/krb5.conf.
	Krb5Conf string
}

// IsZero reports whether no Kerberos option is set.
func (k KerberosOptions) IsZero() bool { return k == KerberosOptions{} }

// Check validates the options without contacting a KDC: principal and
// keytab go together, and a keytab must be readable and hold a key for the
// principal. What it cannot know without krb5.conf (the default realm) is
// checked at log-in.
func (k KerberosOptions) Check() error {
	switch {
	case k.Keytab != "" && k.Principal == "":
		return errors.New("a keytab needs the principal to log in as")
	case k.Keytab == "" && k.Principal != "":
		return errors.New("a principal needs a keytab (or leave both unset to use the ticket cache)")
	case k.Keytab != "" && k.CCache != "":
		return errors.New("set a keytab or a ticket cache, not both")
	}
	if k.Keytab == "" {
		return nil
	}
	kt, err := loadKeytab(k.Keytab)
	if err != nil {
		return err
	}
	user, realm := splitPrincipal(k.Principal)
	if user == "" {
		return fmt.Errorf("principal %q names no user", k.Principal)
	}
	if !keytabHolds(kt, user, realm) {
		return fmt.Errorf("keytab %s holds no key for %s", k.Keytab, k.Principal)
	}
	return nil
}

// kerberosLogin returns a logged-in client: from the keytab when one is
// set (the client renews its own tickets), else from the ticket cache.
func kerberosLogin(k KerberosOptions) (*krb.Client, error) {
	if err := k.Check(); err != nil {
		return nil, err
	}
	cfgPath := k.Krb5Conf
	if cfgPath == "" {
		cfgPath = os.Getenv("KRB5_CONFIG")
	}
	if cfgPath == "" {
		cfgPath = "/etc/krb5.conf"
	}
	cfg, err := krbconfig.Load(cfgPath)
	if err != nil {
		return nil, fmt.Errorf("load krb5.conf %s: %w", cfgPath, err)
	}
	if k.Keytab != "" {
		kt, err := loadKeytab(k.Keytab)
		if err != nil {
			return nil, err
		}
		user, realm := splitPrincipal(k.Principal)
		if realm == "" {
			realm = cfg.LibDefaults.DefaultRealm
		}
		if realm == "" {
			return nil, fmt.Errorf("principal %q names no realm and %s sets no default_realm", k.Principal, cfgPath)
		}
		cl := krb.NewWithKeytab(user, realm, kt, cfg, krb.DisablePAFXFAST(true))
		if err := cl.Login(); err != nil {
			cl.Destroy()
			return nil, fmt.Errorf("log in as %s@%s from keytab %s: %w", user, realm, k.Keytab, err)
		}
		return cl, nil
	}
	ccPath := k.CCache
	if ccPath == "" {
		ccPath = os.Getenv("KRB5CCNAME")
	}
	if ccPath == "" {
		ccPath = "/tmp/krb5cc_" + strconv.Itoa(os.Getuid())
	}
	if strings.Contains(ccPath, ":") && !strings.HasPrefix(ccPath, "FILE:") {
		return nil, fmt.Errorf("ticket cache %s: only FILE: caches are supported", ccPath)
	}
	ccPath = strings.TrimPrefix(ccPath, "FILE:")
	cc, err := credentials.LoadCCache(ccPath)
	if err != nil {
		return nil, fmt.Errorf("no usable ticket cache %s (run kinit, or configure a keytab and principal): %w", ccPath, err)
	}
	// A client from a cache cannot renew: say so now rather than at the first namenode call.
	tgt, ok := cc.GetEntry(types.PrincipalName{NameType: nametype.KRB_NT_SRV_INST, NameString: []string{"krbtgt", cc.DefaultPrincipal.Realm}})
	if ok && !tgt.EndTime.IsZero() && time.Now().After(tgt.EndTime) {
		return nil, fmt.Errorf("ticket cache %s: the ticket-granting ticket of %s expired at %s (run kinit again, or configure a keytab)",
			ccPath, cc.DefaultPrincipal.PrincipalName.PrincipalNameString(), tgt.EndTime.Format(time.RFC3339))
	}
	cl, err := krb.NewFromCCache(cc, cfg, krb.DisablePAFXFAST(true))
	if err != nil {
		return nil, fmt.Errorf("ticket cache %s: %w (run kinit again)", ccPath, err)
	}
	return cl, nil
}

func loadKeytab(path string) (*keytab.Keytab, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read keytab: %w", err)
	}
	kt := keytab.New()
	if err := kt.Unmarshal(data); err != nil {
		return nil, fmt.Errorf("keytab %s: not a keytab: %w", path, err)
	}
	return kt, nil
}

// splitPrincipal splits user[/host]@REALM at the last @.
func splitPrincipal(p string) (user, realm string) {
	if i := strings.LastIndex(p, "@"); i >= 0 {
		return p[:i], p[i+1:]
	}
	return p, ""
}

// keytabHolds reports whether kt has a key for user (any realm when realm
// is "").
func keytabHolds(kt *keytab.Keytab, user, realm string) bool {
	want := types.NewPrincipalName(nametype.KRB_NT_PRINCIPAL, user) // only the name parts are compared
	for _, e := range kt.Entries {
		if realm != "" && e.Principal.Realm != realm {
			continue
		}
		if len(e.Principal.Components) != len(want.NameString) {
			continue
		}
		same := true
		for i, c := range e.Principal.Components {
			if c != want.NameString[i] {
				same = false
				break
			}
		}
		if same {
			return true
		}
	}
	return false
}

// explainSimpleRefused adds what to configure when a client without
// Kerberos failed to connect because the namenode requires Kerberos.
// colinmarc/hdfs reports that refusal as "unexpected sequence number" or a
// broken pipe, depending on timing, and drops the namenode's message; so
// after a failure this asks the namenode again with nothing but the RPC
// connection header offering SIMPLE authentication, which a Kerberos
// namenode answers at once with "SIMPLE authentication is not enabled".
func explainSimpleRefused(addrs []string, err error) error {
	for _, addr := range addrs {
		if msg := simpleRefusal(addr); msg != "" {
			return fmt.Errorf("the namenode %s requires Kerberos (it answered %q): set hadoop.security.authentication=kerberos "+
				"and dfs.namenode.kerberos.principal in the Hadoop configuration hetl reads (warehouse.hadoop_conf_dir or "+
				"HADOOP_CONF_DIR), and log in with kinit or warehouse.kerberos: %w", addr, msg, err)
		}
	}
	return err
}

// simpleRefused is how a Kerberos namenode answers SIMPLE authentication:
// "SIMPLE authentication is not enabled.  Available:[TOKEN, KERBEROS]".
var simpleRefused = []byte("SIMPLE authentication is not enabled")

// simpleRefusal returns the namenode's refusal of SIMPLE authentication,
// or "" when it does not refuse it or cannot be asked.
func simpleRefusal(addr string) string {
	conn, err := net.DialTimeout("tcp", addr, 3*time.Second)
	if err != nil {
		return ""
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(3 * time.Second))
	// "hrpc", RPC version 9, service class 0, auth protocol 0 (none: SIMPLE).
	if _, err := conn.Write([]byte{'h', 'r', 'p', 'c', 9, 0, 0}); err != nil {
		return ""
	}
	buf := make([]byte, 4096)
	n, _ := io.ReadAtLeast(conn, buf, len(simpleRefused))
	i := bytes.Index(buf[:n], simpleRefused)
	if i < 0 {
		return ""
	}
	// The message is a protobuf string: its length is the byte before it.
	if l := int(buf[i-1]); i > 0 && l >= len(simpleRefused) && l < 0x80 && i+l <= n {
		return string(buf[i : i+l])
	}
	msg := buf[i:n]
	for j, b := range msg {
		if b < 0x20 || b > 0x7e {
			msg = msg[:j]
			break
		}
	}
	return string(msg)
}
