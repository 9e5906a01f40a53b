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
	"time"

	"github.com/colinmarc/hdfs/v2"
	"github.com/colinmarc/hdfs/v2/hadoopconf"
	krb "github.com/jcmturner/gokrb5/v8/client"
	krbconfig "github.com/jcmturner/gokrb5/v8/config"
	"github.com/jcmturner/gokrb5/v8/credentials"
)

// HDFSOptions configure an HDFS filesystem.
type HDFSOptions struct {
	// HadoopConfDir holds core-site.xml and hdfs-site.xml; "" means
	// $HADOOP_CONF_DIR (none at all is fine when the location names a namenode).
	HadoopConfDir string
	// Properties override the Hadoop configuration (the -D options).
	Properties map[string]string
	// User is the HDFS user on an insecure cluster; "" means the OS user.
	User string
}

// HDFS is an FS on a Hadoop filesystem, rooted at a directory.
type HDFS struct {
	client      *hdfs.Client
	root        string // absolute HDFS path
	uri         string // for String()
	blockSize   int64  // default block size of new files
	replication int    // replication of new files
}

// NewHDFS connects to the namenode of loc (or fs.defaultFS) and roots the FS
// at loc.Path, creating it when missing. With hadoop.security.authentication
// set to kerberos, it authenticates from the ticket cache (KRB5CCNAME) and
// krb5.conf (KRB5_CONFIG, default /etc/krb5.conf).
func NewHDFS(ctx context.Context, loc Location, opts HDFSOptions) (*HDFS, error) {
	if loc.Scheme != "hdfs" {
		return nil, fmt.Errorf("hdfs: location %s is not hdfs://", loc)
	}
	conf := hadoopconf.HadoopConf{}
	confDir := opts.HadoopConfDir
	if confDir == "" {
		confDir = os.Getenv("HADOOP_CONF_DIR")
	}
	if confDir != "" {
		loaded, err := hadoopconf.Load(confDir)
		if err != nil {
			return nil, fmt.Errorf("hdfs: read HADOOP_CONF_DIR %s: %w", confDir, err)
		}
		conf = loaded
	}
	for k, v := range opts.Properties {
		conf[k] = v
	}
	clientOpts := hdfs.ClientOptionsFromConf(conf)
	if loc.NameNode != "" {
		clientOpts.Addresses = nameNodeAddresses(conf, loc.NameNode)
	}
	if len(clientOpts.Addresses) == 0 {
		return nil, fmt.Errorf("hdfs: %s names no namenode and HADOOP_CONF_DIR sets no fs.defaultFS", loc)
	}
	if clientOpts.KerberosClient != nil || conf["hadoop.security.authentication"] == "kerberos" {
		kc, err := kerberosClient()
		if err != nil {
			return nil, fmt.Errorf("hdfs: kerberos: %w", err)
		}
		clientOpts.KerberosClient = kc
		if clientOpts.KerberosServicePrincipleName == "" {
			clientOpts.KerberosServicePrincipleName = "nn/_HOST"
		}
	} else {
		clientOpts.User = opts.User
		if clientOpts.User == "" {
			u, err := user.Current()
			if err != nil {
				return nil, fmt.Errorf("hdfs: find the OS user: %w", err)
			}
			clientOpts.User = u.Username
		}
	}
	client, err := hdfs.NewClient(clientOpts)
	if err != nil {
		return nil, fmt.Errorf("hdfs: connect to %v: %w", clientOpts.Addresses, err)
	}
	// The namenode's defaults, unless -D dfs.replication / dfs.blocksize say otherwise.
	defaults, err := client.ServerDefaults()
	if err != nil {
		client.Close()
		return nil, fmt.Errorf("hdfs: read server defaults from %v: %w", clientOpts.Addresses, err)
	}
	if v, err := strconv.Atoi(opts.Properties["dfs.replication"]); err == nil && v > 0 {
		defaults.Replication = v
	}
	if v, err := strconv.ParseInt(opts.Properties["dfs.blocksize"], 10, 64); err == nil && v > 0 {
		defaults.BlockSize = v
	}
	h := &HDFS{
		client:      client,
		root:        loc.Path,
		uri:         "hdfs://" + clientOpts.Addresses[0] + loc.Path,
		blockSize:   defaults.BlockSize,
		replication: defaults.Replication,
	}
	if err := h.MkdirAll(ctx, ""); err != nil {
		client.Close()
		return nil, fmt.Errorf("hdfs: create warehouse root: %w", err)
	}
	return h, nil
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

func kerberosClient() (*krb.Client, error) {
	cfgPath := os.Getenv("KRB5_CONFIG")
	if cfgPath == "" {
		cfgPath = "/etc/krb5.conf"
	}
	cfg, err := krbconfig.Load(cfgPath)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", cfgPath, err)
	}
	ccPath := os.Getenv("KRB5CCNAME")
	if ccPath == "" {
		u, err := user.Current()
		if err != nil {
			return nil, err
		}
		ccPath = "/tmp/krb5cc_" + u.Uid
	}
	ccPath = strings.TrimPrefix(ccPath, "FILE:")
	cc, err := credentials.LoadCCache(ccPath)
	if err != nil {
		return nil, fmt.Errorf("load ticket cache %s (run kinit): %w", ccPath, err)
	}
	return krb.NewFromCCache(cc, cfg)
}

func (h *HDFS) String() string { return h.uri }

// Close closes the connection to the namenode.
func (h *HDFS) Close() error { return h.client.Close() }

func (h *HDFS) path(op, name string) (string, error) {
	p, err := cleanPath(op, name)
	if err != nil {
		return "", err
	}
	return path.Join(h.root, p), nil
}

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
	switch {
	case errors.Is(err, syscall.ENOTEMPTY):
		err = ErrNotEmpty
	case errors.Is(err, os.ErrInvalid):
		err = fmt.Errorf("%w: %v", ErrInvalidPath, err)
	}
	return &fs.PathError{Op: op, Path: name, Err: err}
}

func (h *HDFS) Create(ctx context.Context, name string, opts CreateOptions) (Writer, error) {
	p, err := h.path("create", name)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := h.client.MkdirAll(path.Dir(p), 0o755); err != nil {
		return nil, hdfsErr("create", name, err)
	}
	// One block per file: colinmarc/hdfs cannot retry addBlock (see the
	// package caveat). Block sizes must be multiples of 512 bytes.
	blockSize := h.blockSize
	if opts.SizeHint > blockSize {
		blockSize = (opts.SizeHint + 1<<20 - 1) &^ (1<<20 - 1)
	}
	w, err := h.client.CreateFile(p, h.replication, blockSize, 0o644)
	if err != nil {
		return nil, hdfsErr("create", name, err)
	}
	if d, ok := ctx.Deadline(); ok {
		_ = w.SetDeadline(d)
	}
	return &hdfsWriter{w: w, name: name}, nil
}

type hdfsWriter struct {
	w    *hdfs.FileWriter
	name string
}

func (w *hdfsWriter) Write(b []byte) (int, error) {
	if len(b) == 0 {
		// colinmarc/hdfs would allocate a block for zero bytes that no
		// datanode ever reports, and Close would wait forever.
		return 0, nil
	}
	n, err := w.w.Write(b)
	return n, hdfsErr("write", w.name, err)
}

// Close retries while the namenode says the last block is still being
// replicated: the data is acknowledged by the datanodes, the namenode has not
// yet heard of it. Retrying is what the Java client does too.
func (w *hdfsWriter) Close() error {
	delay := 50 * time.Millisecond
	for attempt := 0; ; attempt++ {
		err := w.w.Close()
		if err == nil {
			return nil
		}
		if !errors.Is(err, hdfs.ErrReplicating) || attempt == 8 {
			return hdfsErr("close", w.name, err)
		}
		time.Sleep(delay)
		delay *= 2
	}
}

func (h *HDFS) Open(ctx context.Context, name string) (File, error) {
	p, err := h.path("open", name)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
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
	return &hdfsFile{FileReader: r}, nil
}

type hdfsFile struct{ *hdfs.FileReader }

func (f *hdfsFile) Size() int64 { return f.Stat().Size() }

func (h *HDFS) Stat(ctx context.Context, name string) (fs.FileInfo, error) {
	p, err := h.path("stat", name)
	if err != nil {
		return nil, err
	}
	info, err := h.client.Stat(p)
	return info, hdfsErr("stat", name, err)
}

func (h *HDFS) ReadDir(ctx context.Context, name string) ([]fs.FileInfo, error) {
	p, err := h.path("readdir", name)
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
	p, err := h.path("mkdir", name)
	if err != nil {
		return err
	}
	err = h.client.MkdirAll(p, 0o755)
	if err != nil {
		if info, serr := h.client.Stat(p); serr == nil && !info.IsDir() {
			return &fs.PathError{Op: "mkdir", Path: name, Err: ErrNotDir}
		}
	}
	return hdfsErr("mkdir", name, err)
}

// Rename checks that the target is free first: HDFS would replace a file and
// move a directory inside an existing one. The check and the rename are two
// calls; hetl never races two writers to one target (leases guard publishes).
func (h *HDFS) Rename(ctx context.Context, oldname, newname string) error {
	op, err := h.path("rename", oldname)
	if err != nil {
		return err
	}
	np, err := h.path("rename", newname)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if _, err := h.client.Stat(op); err != nil {
		return hdfsErr("rename", oldname, err)
	}
	if _, err := h.client.Stat(np); err == nil {
		return &fs.PathError{Op: "rename", Path: newname, Err: fs.ErrExist}
	}
	if np == op || len(np) > len(op) && np[:len(op)+1] == op+"/" {
		return &fs.PathError{Op: "rename", Path: newname, Err: ErrInvalidPath}
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
	p, err := h.path("remove", name)
	if err != nil {
		return err
	}
	if p == h.root {
		return &fs.PathError{Op: "remove", Path: name, Err: ErrInvalidPath}
	}
	return hdfsErr("remove", name, h.client.Remove(p))
}

func (h *HDFS) RemoveAll(ctx context.Context, name string) error {
	p, err := h.path("removeall", name)
	if err != nil {
		return err
	}
	if p == h.root {
		return &fs.PathError{Op: "removeall", Path: name, Err: ErrInvalidPath}
	}
	err = h.client.RemoveAll(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return hdfsErr("removeall", name, err)
}
