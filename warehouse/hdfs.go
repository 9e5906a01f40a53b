package warehouse

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"os/user"
	"path"
	"sort"
	"strconv"
	"strings"
	"syscall"

	"github.com/colinmarc/hdfs/v2"
	"github.com/colinmarc/hdfs/v2/hadoopconf"
	krb "github.com/jcmturner/gokrb5/v8/client"
)

// HDFSOptions configure an HDFS filesystem.
type HDFSOptions struct {
	// HadoopConfDir holds core-site.xml and hdfs-site.xml; "" means the
	// environment ($HADOOP_CONF_DIR, else $HADOOP_HOME/conf; none at all is
	// fine when the location names a namenode).
	HadoopConfDir string
	// Properties override the Hadoop configuration (Sqoop's -D key=value).
	Properties map[string]string
	// User is the HDFS user on an insecure cluster; "" means the OS user.
	// With Kerberos the user is the logged-in principal, and setting User
	// is an error.
	User string
	// Kerberos says how to log in when the Hadoop configuration sets
	// hadoop.security.authentication=kerberos; setting it for a cluster
	// without Kerberos is an error.
	Kerberos KerberosOptions
}

// HDFS is an FS on a Hadoop filesystem, rooted at a directory. Close it
// when done.
type HDFS struct {
	client      *hdfs.Client
	kerberos    *krb.Client // nil without Kerberos; destroyed by Close
	root        string      // absolute HDFS path
	uri         string      // for String()
	blockSize   int64       // block size of new files
	replication int         // replication of new files
}

// NewHDFS connects to the namenode of loc (or fs.defaultFS for hdfs:///)
// and roots the FS at loc.Path, creating it when missing.
//
// With hadoop.security.authentication=kerberos it logs in as
// opts.Kerberos says (a keytab, else the ticket cache), asks for the
// namenode's service ticket under dfs.namenode.kerberos.principal (_HOST
// stands for the namenode's host), and protects block transfers with SASL
// as dfs.data.transfer.protection (or dfs.encrypt.data.transfer) asks.
func NewHDFS(ctx context.Context, loc Location, opts HDFSOptions) (*HDFS, error) {
	if loc.Scheme != "hdfs" {
		return nil, fmt.Errorf("hdfs: location %s is not hdfs://", loc)
	}
	conf, err := loadHadoopConf(opts.HadoopConfDir)
	if err != nil {
		return nil, err
	}
	for k, v := range opts.Properties {
		conf[k] = v
	}
	clientOpts := hdfs.ClientOptionsFromConf(conf)
	if loc.NameNode != "" {
		clientOpts.Addresses = nameNodeAddresses(conf, loc.NameNode)
	}
	if len(clientOpts.Addresses) == 0 {
		return nil, fmt.Errorf("hdfs: %s names no namenode and the Hadoop configuration sets no fs.defaultFS", loc)
	}
	var kc *krb.Client
	if clientOpts.KerberosClient != nil { // set by ClientOptionsFromConf for kerberos
		if opts.User != "" {
			return nil, fmt.Errorf("hdfs: the cluster uses Kerberos (hadoop.security.authentication=kerberos), so the HDFS user is the Kerberos principal; unset the HDFS user %q", opts.User)
		}
		kc, err = kerberosLogin(opts.Kerberos)
		if err != nil {
			return nil, fmt.Errorf("hdfs: kerberos: %w", err)
		}
		clientOpts.KerberosClient = kc
		if clientOpts.KerberosServicePrincipleName == "" {
			kc.Destroy()
			return nil, errors.New("hdfs: kerberos: the Hadoop configuration sets no dfs.namenode.kerberos.principal (the namenode's service principal, e.g. nn/_HOST@REALM)")
		}
	} else {
		if !opts.Kerberos.IsZero() {
			return nil, errors.New("hdfs: Kerberos options are set but the Hadoop configuration does not ask for Kerberos (hadoop.security.authentication is not kerberos); point at the cluster's HADOOP_CONF_DIR or drop the Kerberos options")
		}
		clientOpts.User = opts.User
		if clientOpts.User == "" {
			u, err := user.Current()
			if err != nil {
				return nil, fmt.Errorf("hdfs: find the OS user: %w", err)
			}
			clientOpts.User = u.Username
		}
	}
	explain := func(err error) error {
		if kc == nil {
			return explainSimpleRefused(clientOpts.Addresses, err)
		}
		return fmt.Errorf("kerberos as %s, namenode principal %s (dfs.namenode.kerberos.principal): %w",
			kc.Credentials.CName().PrincipalNameString()+"@"+kc.Credentials.Domain(), clientOpts.KerberosServicePrincipleName, err)
	}
	client, err := hdfs.NewClient(clientOpts)
	if err != nil {
		err = fmt.Errorf("hdfs: connect to %v: %w", clientOpts.Addresses, explain(err))
		destroy(kc)
		return nil, err
	}
	// The namenode's defaults, unless -D dfs.replication / dfs.blocksize say otherwise.
	defaults, err := client.ServerDefaults()
	if err != nil {
		err = fmt.Errorf("hdfs: read server defaults from %v: %w", clientOpts.Addresses, explain(err))
		client.Close()
		destroy(kc)
		return nil, err
	}
	if v, err := strconv.Atoi(opts.Properties["dfs.replication"]); err == nil && v > 0 {
		defaults.Replication = v
	}
	if v, err := strconv.ParseInt(opts.Properties["dfs.blocksize"], 10, 64); err == nil && v > 0 {
		defaults.BlockSize = v
	}
	h := &HDFS{
		client:      client,
		kerberos:    kc,
		root:        loc.Path,
		uri:         "hdfs://" + clientOpts.Addresses[0] + loc.Path,
		blockSize:   defaults.BlockSize,
		replication: defaults.Replication,
	}
	if err := h.MkdirAll(ctx, ""); err != nil {
		h.Close()
		return nil, fmt.Errorf("hdfs: create warehouse root: %w", err)
	}
	return h, nil
}

func loadHadoopConf(dir string) (hadoopconf.HadoopConf, error) {
	if dir != "" {
		conf, err := hadoopconf.Load(dir)
		if err != nil {
			return nil, fmt.Errorf("hdfs: read Hadoop configuration %s: %w", dir, err)
		}
		return conf, nil
	}
	conf, err := hadoopconf.LoadFromEnvironment()
	if err != nil {
		return nil, fmt.Errorf("hdfs: read Hadoop configuration from HADOOP_CONF_DIR/HADOOP_HOME: %w", err)
	}
	if conf == nil {
		conf = hadoopconf.HadoopConf{}
	}
	return conf, nil
}

// nameNodeAddresses resolves hdfs://name: an HA nameservice from the conf,
// host:port as is, or a bare host on the default RPC port 8020.
func nameNodeAddresses(conf hadoopconf.HadoopConf, nn string) []string {
	if _, _, err := net.SplitHostPort(nn); err == nil {
		return []string{nn}
	}
	var addrs []string
	if ids := conf["dfs.ha.namenodes."+nn]; ids != "" {
		for _, id := range splitComma(ids) {
			if a := conf["dfs.namenode.rpc-address."+nn+"."+id]; a != "" {
				addrs = append(addrs, a)
			}
		}
	}
	if len(addrs) == 0 {
		addrs = []string{nn + ":8020"}
	}
	return addrs
}

func (h *HDFS) String() string { return h.uri }

// Close closes the connection to the namenode and ends the Kerberos
// session.
func (h *HDFS) Close() error {
	err := h.client.Close()
	destroy(h.kerberos)
	return err
}

func destroy(kc *krb.Client) {
	if kc != nil {
		kc.Destroy()
	}
}

// path maps a caller's name to the absolute HDFS path, failing early on a
// done ctx (colinmarc/hdfs takes no ctx on namenode calls).
func (h *HDFS) path(ctx context.Context, op, name string) (string, error) {
	p, err := cleanPath(op, name)
	if err != nil {
		return "", err
	}
	if err := ctx.Err(); err != nil {
		return "", &fs.PathError{Op: op, Path: name, Err: err}
	}
	return path.Join(h.root, p), nil
}

// Java exceptions colinmarc/hdfs leaves untranslated.
var hdfsExceptions = map[string]error{
	"org.apache.hadoop.fs.ParentNotDirectoryException":  ErrNotDir,
	"org.apache.hadoop.fs.InvalidPathException":         ErrInvalidPath,
	"org.apache.hadoop.fs.PathIsNotDirectoryException":  ErrNotDir,
	"org.apache.hadoop.security.AccessControlException": fs.ErrPermission,
	"org.apache.hadoop.fs.FileAlreadyExistsException":   fs.ErrExist,
	"java.io.FileNotFoundException":                     fs.ErrNotExist,
}

// remoteError keeps a namenode error's first message line (colinmarc's
// Error() omits it, and it is what says "Name node is in safe mode") and
// matches the sentinel it was translated to.
type remoteError struct {
	is     error
	remote hdfs.Error
}

func (e *remoteError) Error() string {
	msg, _, _ := strings.Cut(e.remote.Message(), "\n")
	return fmt.Sprintf("%s: %s", e.remote.Exception(), msg)
}
func (e *remoteError) Is(target error) bool { return e.is != nil && target == e.is }
func (e *remoteError) Unwrap() error        { return e.remote.(error) }

// hdfsErr maps colinmarc's errors (already os errors for the common Java
// exceptions) to this package's, under the caller's path.
func hdfsErr(op, name string, err error) error {
	if err == nil {
		return nil
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	var remote hdfs.Error
	switch {
	case errors.As(err, &remote):
		err = &remoteError{is: hdfsExceptions[remote.Exception()], remote: remote}
	case errors.Is(err, syscall.ENOTEMPTY):
		err = ErrNotEmpty
	case errors.Is(err, os.ErrInvalid):
		err = fmt.Errorf("%w: %v", ErrInvalidPath, err)
	}
	return &fs.PathError{Op: op, Path: name, Err: err}
}

func (h *HDFS) Open(ctx context.Context, name string) (File, error) {
	p, err := h.path(ctx, "open", name)
	if err != nil {
		return nil, err
	}
	r, err := h.client.Open(p)
	if err != nil {
		return nil, hdfsErr("open", name, err)
	}
	if r.Stat().IsDir() {
		r.Close()
		return nil, &fs.PathError{Op: "open", Path: name, Err: ErrIsDir}
	}
	if d, ok := ctx.Deadline(); ok {
		_ = r.SetDeadline(d)
	}
	return &hdfsFile{FileReader: r}, nil
}

type hdfsFile struct{ *hdfs.FileReader }

func (f *hdfsFile) Size() int64 { return f.Stat().Size() }

func (h *HDFS) Stat(ctx context.Context, name string) (fs.FileInfo, error) {
	p, err := h.path(ctx, "stat", name)
	if err != nil {
		return nil, err
	}
	info, err := h.client.Stat(p)
	if err != nil {
		return nil, hdfsErr("stat", name, err)
	}
	return info, nil
}

func (h *HDFS) ReadDir(ctx context.Context, name string) ([]fs.FileInfo, error) {
	p, err := h.path(ctx, "readdir", name)
	if err != nil {
		return nil, err
	}
	info, err := h.client.Stat(p)
	if err != nil {
		return nil, hdfsErr("readdir", name, err)
	}
	if !info.IsDir() {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: ErrNotDir}
	}
	infos, err := h.client.ReadDir(p)
	if err != nil {
		return nil, hdfsErr("readdir", name, err)
	}
	sort.Slice(infos, func(i, j int) bool { return infos[i].Name() < infos[j].Name() })
	return infos, nil
}

func (h *HDFS) MkdirAll(ctx context.Context, name string) error {
	p, err := h.path(ctx, "mkdir", name)
	if err != nil {
		return err
	}
	if err := h.client.MkdirAll(p, 0o755); err != nil {
		if h.fileInTheWay(p) {
			return &fs.PathError{Op: "mkdir", Path: name, Err: ErrNotDir}
		}
		return hdfsErr("mkdir", name, err)
	}
	return nil
}

// fileInTheWay reports whether p or one of its parents is a file. The
// namenode reports that case as a permission error, so a failed mkdir asks.
func (h *HDFS) fileInTheWay(p string) bool {
	for ; p != h.root && p != "/" && p != "."; p = path.Dir(p) {
		info, err := h.client.Stat(p)
		if err == nil {
			return !info.IsDir()
		}
	}
	return false
}

// Rename checks that the target is free first: colinmarc/hdfs renames with
// OVERWRITE, which would replace a file. The check and the rename are two
// calls (colinmarc/hdfs exposes no rename without OVERWRITE), so the
// guarantee holds against everything but a concurrent writer of the same
// target; hetl's publishes of one target are serialised by leases.
func (h *HDFS) Rename(ctx context.Context, oldname, newname string) error {
	op, err := h.path(ctx, "rename", oldname)
	if err != nil {
		return err
	}
	np, err := h.path(ctx, "rename", newname)
	if err != nil {
		return err
	}
	oc, _ := cleanPath("rename", oldname)
	nc, _ := cleanPath("rename", newname)
	if err := checkRename("rename", oc, nc, oldname, newname); err != nil {
		return err
	}
	if _, err := h.client.Stat(op); err != nil {
		return hdfsErr("rename", oldname, err)
	}
	if _, err := h.client.Stat(np); err == nil {
		return &fs.PathError{Op: "rename", Path: newname, Err: fs.ErrExist}
	}
	parent, err := h.client.Stat(path.Dir(np))
	if err != nil {
		return hdfsErr("rename", newname, err)
	}
	if !parent.IsDir() {
		return &fs.PathError{Op: "rename", Path: newname, Err: ErrNotDir}
	}
	return hdfsErr("rename", newname, h.client.Rename(op, np))
}

func (h *HDFS) Remove(ctx context.Context, name string) error {
	p, err := h.path(ctx, "remove", name)
	if err != nil {
		return err
	}
	if p == h.root {
		return &fs.PathError{Op: "remove", Path: name, Err: errInvalid("cannot remove the root")}
	}
	return hdfsErr("remove", name, h.client.Remove(p))
}

func (h *HDFS) RemoveAll(ctx context.Context, name string) error {
	p, err := h.path(ctx, "removeall", name)
	if err != nil {
		return err
	}
	if p == h.root {
		return &fs.PathError{Op: "removeall", Path: name, Err: errInvalid("cannot remove the root")}
	}
	err = h.client.RemoveAll(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return hdfsErr("removeall", name, err)
}
